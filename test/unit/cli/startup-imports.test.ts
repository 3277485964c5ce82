import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { MULTIPASS_BIN } from '../../support/binaries.js';
import { ModuleLoadLog, type Loaded } from '../../support/module-load-log.js';
import { makeTempDir } from '../../support/temp-dir.js';

const run = promisify(execFile);

const ENTRY = pathToFileURL(MULTIPASS_BIN).href;
const CHUNKS = pathToFileURL(join(MULTIPASS_BIN, '..', 'multipass-chunks', '/')).href;
/** A chunk of the bundle, by the module it was built from (`chunk`: code shared by others). */
const chunk = (name: string) => new RegExp(`^${CHUNKS}${name}-[A-Z0-9]+\\.js$`);
const DAEMON_CLIENT = chunk('daemon-client');
const X509 = chunk('x509-keys');
const SHARED = chunk('chunk');

/**
 * Runs the built CLI as the bin entry does, recording every module it loads and every file it
 * reads through fs. The CLI is a fresh process per command, so what it loads is most of its
 * latency: a command runs from the bundle (no module resolution in node_modules, no .proto to
 * parse), and loads the daemon client only when it calls the daemon.
 */
describe('multipass start-up', function () {
  this.timeout(20000);
  let temp: ReturnType<typeof makeTempDir>;

  let log: ModuleLoadLog;

  const loadedBy = async (...args: string[]): Promise<Loaded> => {
    const env = {
      PATH: process.env.PATH,
      HOME: join(temp.path, 'home'),
      ...log.env,
      MULTIPASS_SERVER_ADDRESS: `unix:${join(temp.path, 'no-daemon-here')}`,
      MULTIPASS_ROOT_CERT: join(temp.path, 'root.pem'),
    };
    await run(process.execPath, [...log.nodeArgs, MULTIPASS_BIN, ...args], { env }).catch(
      (error: { code?: number }) => {
        // A failing command is fine here; only what it loaded matters.
        if (typeof error.code !== 'number') throw error;
      },
    );
    return log.loaded();
  };

  const files = (loaded: Loaded) => loaded.modules.filter((url) => url.startsWith('file:'));
  const ofTheBundle = (url: string) => url === ENTRY || chunk('[a-z0-9-]+').test(url);

  beforeEach(() => {
    temp = makeTempDir();
    log = new ModuleLoadLog(temp.path);
    writeFileSync(join(temp.path, 'root.pem'), 'not a certificate');
  });
  afterEach(() => temp.remove());

  for (const args of [['help'], ['help', 'authenticate'], ['--help'], ['list', '-h'], ['bogus'], ['help', 'whoami'], ['doctor', '-h']]) {
    it(`loads only the bundle's core, and neither the daemon client nor http2 and tls, for '${args.join(' ')}'`, async () => {
      const loaded = await loadedBy(...args);
      expect(files(loaded), 'the hook saw the CLI load').to.include(ENTRY);
      expect(files(loaded).filter((url) => url !== ENTRY && !SHARED.test(url))).to.deep.equal([]);
      expect(loaded.modules.filter((url) => url === 'node:http2' || url === 'node:tls')).to.deep.equal([]);
    });
  }

  // whoami and doctor call multipassd.Client, multipassd's own service, through the same client.
  for (const command of ['version', 'whoami', 'doctor']) {
    it(`loads the daemon client for '${command}', which calls the daemon, all of it from the bundle, and reads no .proto`, async () => {
      const loaded = await loadedBy(command);
      expect(files(loaded).filter((url) => DAEMON_CLIENT.test(url)), 'the check below can fail').to.have.length(1);
      expect(loaded.modules).to.include('node:http2');
      expect(files(loaded).filter((url) => !ofTheBundle(url))).to.deep.equal([]);
      expect(loaded.reads.filter((path) => path.endsWith('.proto'))).to.deep.equal([]);
    });
  }

  it('loads the certificate library only to make the client certificate, not once it exists', async () => {
    expect(files(await loadedBy('version')).filter((url) => X509.test(url)), 'the first run makes it').to.have.length(1);
    expect(files(await loadedBy('list')).filter((url) => X509.test(url))).to.deep.equal([]);
  });
});
