import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { makeMultipassFixture, type MultipassFixture } from '../support/multipass-fixture.js';
import { withRawDatabase } from '../support/raw-sqlite.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';

/*
 * Issue 8, point 1: a Multipass install is adopted, not reset. The fixture is a Multipass
 * install laid out by the test under a temp dir (certificates and Multipass's unsalted
 * passphrase hash made here); the real multipassd imports it and real gRPC clients, which
 * verify the daemon with Multipass's own root CA file, talk to it.
 */
for (const store of ['pem', 'sqlite'] as const) {
  describe(`multipassd import-multipass (${store} store)`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let fixture: MultipassFixture;
    let daemon: DaemonProcess | undefined;
    const clients: Client[] = [];
    const dataDir = () => join(temp.path, 'data');
    const importIt = (...extra: string[]) =>
      runDaemonCommand(['import-multipass', ...fixture.importFlags, '--data-dir', dataDir(), '--store', store, ...extra]);
    const start = async (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
      daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`, '--store', store, ...args], env });
      return daemon;
    };
    /** A client that verifies the daemon with Multipass's root CA file, as the Multipass CLI does. */
    const clientOf = (running: DaemonProcess, cert: TestCertificate, rootCertPath = fixture.rootCertPath) => {
      const client = wireClient(running.address, readFileSync(rootCertPath, 'utf8'), { certPem: cert.pem, keyPem: cert.keyPem });
      clients.push(client);
      return client;
    };
    const storedHash = (): string | undefined =>
      store === 'pem'
        ? /^local\.passphrase=(.*)$/m.exec(readFileSync(join(dataDir(), 'multipassd.conf'), 'utf8'))?.[1]
        : withRawDatabase(join(dataDir(), 'multipassd.db'), (db) =>
            db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('local.passphrase'),
          ) as string | undefined;

    beforeEach(async () => {
      temp = makeTempDir();
      fixture = await makeMultipassFixture(join(temp.path, 'mp'));
    });

    afterEach(async () => {
      clients.splice(0).forEach((client) => client.close());
      await daemon?.stop();
      daemon = undefined;
      temp.remove();
    });

    it("trusts every Multipass client, enrols a new one with Multipass's passphrase, and is verified with Multipass's root CA", async () => {
      const before = fixture.snapshot();
      const result = await importIt();
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain('trusted clients: 3 found, 3 newly trusted').and.contain('passphrase: imported').and.contain('daemon identity: imported');
      expect(fixture.snapshot(), "Multipass's files").to.deep.equal(before);
      expect(storedHash(), 'copied as it is').to.equal(fixture.passphraseHash);

      const running = await start();
      for (const cert of fixture.clients) {
        expect((await wirePing(clientOf(running, cert))).code, `Multipass client ${cert.fingerprint}`).to.equal(status.OK);
      }
      const newcomer = clientOf(running, await makeTestCertificate('newcomer'));
      expect((await wirePing(newcomer)).code).to.equal(status.UNAUTHENTICATED);
      expect((await wireStream(newcomer, 'authenticate', { passphrase: 'not it' })).code).to.equal(status.INVALID_ARGUMENT);
      expect((await wireStream(newcomer, 'authenticate', { passphrase: fixture.passphrase })).code).to.equal(status.OK);
      expect((await wirePing(newcomer)).code).to.equal(status.OK);

      const upgraded = storedHash();
      expect(upgraded, 'replaced by our salted hash').to.match(/^"?scrypt\$N=\d+,r=\d+,p=\d+\$/);
      expect(upgraded).to.not.contain(fixture.passphraseHash);
      const again = clientOf(running, await makeTestCertificate('after the upgrade'));
      expect((await wireStream(again, 'authenticate', { passphrase: fixture.passphrase })).code).to.equal(status.OK);
      expect(fixture.snapshot(), "Multipass's files, after the daemon ran").to.deep.equal(before);
    });

    it('is harmless to run again, and keeps a passphrase set here since', async () => {
      expect((await importIt()).code).to.equal(0);
      const second = await importIt();
      expect(second.code, second.stderr).to.equal(0);
      expect(second.stdout).to.contain('3 found, 0 newly trusted').and.contain('passphrase: already imported').and.contain('daemon identity: already imported');

      const running = await start();
      const admin = clientOf(running, fixture.clients[0]!);
      expect((await wireStream(admin, 'set', { key: 'local.passphrase', val: 'a new one' })).code).to.equal(status.OK);
      await running.stop();
      daemon = undefined;
      const third = await importIt();
      expect(third.code, third.stderr).to.equal(0);
      expect(third.stdout).to.contain('passphrase: kept the one already set here');
      const restarted = await start();
      const newcomer = clientOf(restarted, await makeTestCertificate('newcomer'));
      expect((await wireStream(newcomer, 'authenticate', { passphrase: fixture.passphrase })).code).to.equal(status.INVALID_ARGUMENT);
      expect((await wireStream(newcomer, 'authenticate', { passphrase: 'a new one' })).code).to.equal(status.OK);
    });

    it('refuses a source that is missing or incomplete with a clear message, and writes nothing', async () => {
      const missing = await runDaemonCommand(['import-multipass', '--from', join(temp.path, 'nowhere'), '--data-dir', dataDir(), '--store', store]);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.contain(`no Multipass data directory at '${join(temp.path, 'nowhere')}'`);

      const rootKey = join(fixture.locations.dataDir, 'certificates', 'localhost_root_key.pem');
      rmSync(rootKey);
      const incomplete = await importIt();
      expect(incomplete.code).to.equal(1);
      expect(incomplete.stderr).to.contain(`'${rootKey}'`).and.contain('incomplete').and.contain('--skip-identity');
      expect(existsSync(dataDir()) ? readdirSync(dataDir()) : [], 'nothing written').to.deep.equal([]);

      const rest = await importIt('--skip-identity');
      expect(rest.code, rest.stderr).to.equal(0);
      expect(rest.stdout).to.contain('3 newly trusted').and.contain('daemon identity: left out');
    });
  });
}

describe('multipassd adopting a Multipass install', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  const clients: Client[] = [];
  const dataDir = () => join(temp.path, 'data');
  const clientOf = (running: DaemonProcess, rootCertPath: string, cert: TestCertificate) => {
    const client = wireClient(running.address, readFileSync(rootCertPath, 'utf8'), { certPem: cert.pem, keyPem: cert.keyPem });
    clients.push(client);
    return client;
  };

  beforeEach(() => {
    temp = makeTempDir();
  });

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  it('adopts the snap install it finds at its first start, logging what it adopted, and not at later starts', async () => {
    const fixture = await makeMultipassFixture(join(temp.path, 'mp'), { kind: 'snap' });
    const before = fixture.snapshot();
    const env = { MULTIPASSD_MULTIPASS_ROOT: fixture.root };
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`], env });
    expect(daemon.stderr()).to.contain('adopted the Multipass install found at first start').and.contain(fixture.locations.dataDir);
    for (const cert of fixture.clients) {
      expect((await wirePing(clientOf(daemon, fixture.rootCertPath, cert))).code).to.equal(status.OK);
    }
    const newcomer = clientOf(daemon, fixture.rootCertPath, await makeTestCertificate('newcomer'));
    expect((await wireStream(newcomer, 'authenticate', { passphrase: fixture.passphrase })).code).to.equal(status.OK);
    expect(fixture.snapshot()).to.deep.equal(before);

    await daemon.stop();
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`], env });
    expect(daemon.stderr()).to.not.contain('adopted the Multipass install');
  });

  it('keeps an identity the daemon already made unless told --force, then serves the Multipass one', async () => {
    const fixture = await makeMultipassFixture(join(temp.path, 'mp'));
    const args = ['--address', `unix:${temp.path}/sock`];
    daemon = await startDaemonProcess({ dataDir: dataDir(), args });
    await daemon.stop();
    const importIt = (...extra: string[]) => runDaemonCommand(['import-multipass', ...fixture.importFlags, '--data-dir', dataDir(), ...extra]);
    const kept = await importIt();
    expect(kept.code, kept.stderr).to.equal(0);
    expect(kept.stdout).to.contain('daemon identity: kept the one this daemon already has').and.contain('--force');
    const forced = await importIt('--force');
    expect(forced.stdout).to.contain('daemon identity: imported');
    daemon = await startDaemonProcess({ dataDir: dataDir(), args });
    expect((await wirePing(clientOf(daemon, fixture.rootCertPath, fixture.clients[0]!))).code).to.equal(status.OK);
  });

  it('starts afresh, saying why, when the Multipass install it finds cannot be adopted as it is', async () => {
    const fixture = await makeMultipassFixture(join(temp.path, 'mp'));
    const rootKey = join(fixture.locations.dataDir, 'certificates', 'localhost_root_key.pem');
    rmSync(rootKey);
    const before = fixture.snapshot();
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`], env: { MULTIPASSD_MULTIPASS_ROOT: fixture.root } });
    expect(daemon.stderr()).to.contain('cannot adopt it').and.contain(rootKey).and.contain('import-multipass');
    expect(existsSync(join(dataDir(), 'certificate', 'multipass_root_cert.pem')), 'an identity of its own').to.equal(true);
    const first = clientOf(daemon, daemon.rootCertPath, await makeTestCertificate('first'));
    expect((await wireStream(first, 'version', {})).code).to.equal(status.OK);
    expect(fixture.snapshot()).to.deep.equal(before);
  });

  it("with --layout multipass, serves Multipass's identity where Multipass keeps it", async () => {
    const fixture = await makeMultipassFixture(join(temp.path, 'mp'));
    const env = { MULTIPASSD_MULTIPASS_ROOT: fixture.root };
    const result = await runDaemonCommand(['import-multipass', '--data-dir', dataDir(), '--layout', 'multipass'], env);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`root CA ${fixture.rootCertPath}`);
    expect(readFileSync(join(dataDir(), 'certificates', 'localhost.pem'), 'utf8')).to.equal(fixture.server.certPem);
    const before = fixture.snapshot();
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`, '--layout', 'multipass'], env });
    expect((await wirePing(clientOf(daemon, fixture.rootCertPath, fixture.clients[0]!))).code).to.equal(status.OK);
    expect(existsSync(join(dataDir(), 'certificate')), 'no identity of its own').to.equal(false);
    expect(fixture.snapshot()).to.deep.equal(before);
  });

  it('with --layout multipass and no Multipass identity, writes its new root CA where the Multipass CLI reads it', async () => {
    const root = join(temp.path, 'system');
    const env = { MULTIPASSD_MULTIPASS_ROOT: root };
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`, '--layout', 'multipass'], env });
    const rootCert = join(root, 'usr', 'local', 'etc', 'multipassd', 'multipass_root_cert.pem');
    expect(daemon.stdout()).to.contain(`MULTIPASS_ROOT_CERT=${rootCert}`);
    const first = clientOf(daemon, rootCert, await makeTestCertificate('first'));
    expect((await wireStream(first, 'version', {})).code).to.equal(status.OK);
    expect(existsSync(join(dataDir(), 'certificates', 'localhost.pem'))).to.equal(true);
    expect(existsSync(join(dataDir(), 'certificates', 'localhost_root_key.pem'))).to.equal(true);
  });
});
