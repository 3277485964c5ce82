import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MULTIPASSD_BIN } from '../support/binaries.js';
import { startDaemonProcess } from '../support/daemon-process.js';
import { ModuleLoadLog } from '../support/module-load-log.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

const ENTRY = pathToFileURL(MULTIPASSD_BIN).href;
const FOLDER = pathToFileURL(`${dirname(MULTIPASSD_BIN)}/`).href;
/** The daemon bundle's chunks sit beside its entry (scripts/bundle.mjs). */
const CHUNK = new RegExp(`^${FOLDER}multipassd-chunk-([a-z0-9-]+)-[A-Z0-9]+\\.js$`);
const chunkName = (url: string) => CHUNK.exec(url)?.[1];

/**
 * What a start of the built daemon loads, once its identity exists: its bundle and, from
 * node_modules, only the native modules it uses (koffi; better-sqlite3 for that store), never
 * the code that issues certificates, the admin client or a .proto.
 */
describe('multipassd start-up', function () {
  this.timeout(30_000);
  let temp: ReturnType<typeof makeTempDir>;

  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  for (const store of ['pem', 'sqlite'] as const) {
    it(`loads the bundle's start chunks and no certificate-issuing code once its identity exists (${store} store)`, async () => {
      const dataDir = join(temp.path, 'data');
      mkdirSync(join(dataDir, 'authenticated-certs'), { recursive: true, mode: 0o700 });
      writeFileSync(join(dataDir, 'authenticated-certs', 'multipass_client_certs.pem'), (await makeTestCertificate()).pem, { mode: 0o600 });
      const log = new ModuleLoadLog(temp.path);
      const start = async () => {
        const daemon = await startDaemonProcess({
          dataDir,
          args: ['--store', store, '--address', `unix:${join(temp.path, 'sock')}`],
          env: log.env,
          nodeArgs: log.nodeArgs,
        });
        await daemon.stop();
        return log.loaded();
      };
      const first = await start();
      expect(first.modules.map(chunkName), 'the first start issues the identity').to.include('x509-keys');
      const loaded = await start();
      const files = loaded.modules.filter((url) => url.startsWith('file:'));
      expect(files, 'the hook saw the daemon load').to.include(ENTRY);
      expect(files.map(chunkName).filter((name) => name !== undefined && name !== 'chunk')).to.deep.equal([]);
      const packages = files
        .filter((url) => url !== ENTRY && chunkName(url) === undefined)
        .map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? url)
        // koffi's native module comes in a package per platform.
        .map((name) => (name.startsWith('@koromix/koffi-') ? 'koffi' : name));
      expect([...new Set(packages)].sort()).to.deep.equal(store === 'sqlite' ? ['better-sqlite3', 'koffi'] : ['koffi']);
      expect(loaded.reads.filter((path) => path.endsWith('.proto'))).to.deep.equal([]);
    });
  }
});
