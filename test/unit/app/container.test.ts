import { expect } from 'chai';
import { join } from 'node:path';
import { IniFileSettingsStore } from '../../../src/adapters/stores/ini-file-settings-store.js';
import { PemFileCertStore } from '../../../src/adapters/stores/pem-file-cert-store.js';
import { SqliteCertStore } from '../../../src/adapters/stores/sqlite/sqlite-cert-store.js';
import { SqliteSettingsStore } from '../../../src/adapters/stores/sqlite/sqlite-settings-store.js';
import { TcpListener } from '../../../src/adapters/transports/tcp-listener.js';
import { UnixSocketListener } from '../../../src/adapters/transports/unix-socket-listener.js';
import { resolveDaemonConfig, type DaemonFlags } from '../../../src/app/config/daemon-config.js';
import { buildDaemonContainer } from '../../../src/app/container.js';
import { ListenerToken } from '../../../src/app/tokens.js';
import { TrustPolicy } from '../../../src/domain/trust-policy.js';
import { CertStore } from '../../../src/ports/cert-store.js';
import { SettingsStore } from '../../../src/ports/settings-store.js';
import { SocketAccess } from '../../../src/ports/socket-access.js';
import { NullLogger } from '../../support/fakes/null-logger.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('the daemon container', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  const build = (flags: DaemonFlags, platform: NodeJS.Platform = 'linux') =>
    buildDaemonContainer(
      resolveDaemonConfig({ dataDir: temp.path, ...flags }, { uid: 1000, vars: { HOME: temp.path } }, platform),
      'test',
      { logger: new NullLogger() },
    );

  const combinations = [
    { platform: 'linux', flags: {}, listener: UnixSocketListener, certs: PemFileCertStore, settings: IniFileSettingsStore },
    { platform: 'darwin', flags: { store: 'sqlite' }, listener: UnixSocketListener, certs: SqliteCertStore, settings: SqliteSettingsStore },
    { platform: 'win32', flags: {}, listener: TcpListener, certs: PemFileCertStore, settings: IniFileSettingsStore },
    { platform: 'win32', flags: { store: 'sqlite' }, listener: TcpListener, certs: SqliteCertStore, settings: SqliteSettingsStore },
    { platform: 'linux', flags: { address: 'localhost:0' }, listener: TcpListener, certs: PemFileCertStore, settings: IniFileSettingsStore },
    { platform: 'win32', flags: { address: `unix:/tmp/x.sock` }, listener: UnixSocketListener, certs: PemFileCertStore, settings: IniFileSettingsStore },
  ] as const;

  for (const { platform, flags, listener, certs, settings } of combinations) {
    it(`picks ${listener.name} + ${certs.name} on ${platform} with ${JSON.stringify(flags)}`, async () => {
      const container = build(flags, platform);
      const boundListener = await container.getAsync(ListenerToken);
      expect(boundListener).to.be.instanceOf(listener);
      expect(await container.getAsync(SocketAccess), 'one object listens and restricts').to.equal(boundListener);
      const certStore = await container.getAsync(CertStore);
      expect(certStore).to.be.instanceOf(certs);
      expect(await container.getAsync(SettingsStore)).to.be.instanceOf(settings);
      expect(await container.getAsync(TrustPolicy)).to.be.instanceOf(TrustPolicy);
      expect(await container.getAsync(TrustPolicy), 'singletons').to.equal(await container.getAsync(TrustPolicy));
    });
  }

  it('keeps SQLite data in <data>/multipassd.db', async () => {
    const store = (await build({ store: 'sqlite' }).getAsync(CertStore)) as SqliteCertStore;
    await store.load();
    await store.close();
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(temp.path, 'multipassd.db'))).to.equal(true);
  });
});
