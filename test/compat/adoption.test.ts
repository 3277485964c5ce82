import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli-process.js';
import { runDaemonCommand } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { makeMultipassFixture, type MultipassFixture } from '../support/multipass-fixture.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';
import { COMBINATIONS, label, startCompatDaemon, type CompatDaemon } from './compat-daemon.js';

for (const combination of COMBINATIONS) {
  describe(`compat: a Multipass install is adopted, not reset (${label(combination)})`, function () {
    this.timeout(60_000);
    let fixtureDir: ReturnType<typeof makeTempDir>;
    let fixture: MultipassFixture;
    let before: Record<string, string>;
    let d: CompatDaemon;

    beforeEach(async () => {
      fixtureDir = makeTempDir();
      fixture = await makeMultipassFixture(fixtureDir.path);
      before = fixture.snapshot();
      d = await startCompatDaemon(combination, {
        prepare: async (dataDir, storeArgs) => {
          const imported = await runDaemonCommand(['import-multipass', ...fixture.importFlags, '--data-dir', dataDir, ...storeArgs]);
          if (imported.code !== 0) throw new Error(`import-multipass failed: ${imported.stderr}`);
        },
      });
    });
    afterEach(async () => {
      await d?.stop();
      fixtureDir.remove();
    });

    /** As the real Multipass CLI connects: verifying the daemon with Multipass's own root CA file. */
    const multipassClient = (cert?: { pem: string; keyPem: string }) =>
      wireClient(d.daemon.address, readFileSync(fixture.rootCertPath, 'utf8'), cert === undefined ? {} : { certPem: cert.pem, keyPem: cert.keyPem });

    it("trusts every client Multipass trusted, to a client that verifies the daemon with Multipass's root CA", async () => {
      for (const client of fixture.clients) {
        const connection = multipassClient(client);
        expect((await wirePing(connection)).code, client.fingerprint).to.equal(status.OK);
        connection.close();
      }
    });

    it("enrols a new client with Multipass's passphrase", async () => {
      const newcomer = multipassClient(await makeTestCertificate('newcomer'));
      expect((await wireStream(newcomer, 'authenticate', { passphrase: 'wrong' })).code).to.equal(status.INVALID_ARGUMENT);
      expect((await wireStream(newcomer, 'authenticate', { passphrase: fixture.passphrase })).code).to.equal(status.OK);
      expect((await wireStream(newcomer, 'list', {})).code).to.equal(status.OK);
      newcomer.close();
    });

    it('records the adopted clients as imported', async () => {
      const listed = await runDaemonCommand(['trust', 'list', '--format', 'json', '--data-dir', d.dataDir, '--store', combination.store]);
      const records = (JSON.parse(listed.stdout) as { certificates: Array<{ fingerprint: string; via: string }> }).certificates;
      for (const client of fixture.clients) {
        expect(records.find((record) => record.fingerprint === client.fingerprint)?.via, client.fingerprint).to.equal('import');
      }
    });

    it("leaves Multipass's files exactly as they were", async () => {
      const newcomer = multipassClient(await makeTestCertificate('newcomer'));
      await wireStream(newcomer, 'authenticate', { passphrase: fixture.passphrase });
      newcomer.close();
      expect(fixture.snapshot()).to.deep.equal(before);
    });
  });
}

for (const combination of COMBINATIONS.filter((c) => c.store === 'pem')) {
  describe(`compat: the settings file is edited, not rewritten (${label(combination)})`, function () {
    this.timeout(60_000);
    const SETTINGS = [
      '; kept by hand: who set what, and why',
      '[General]',
      'local.driver=qemu',
      '',
      '; another comment, between groups',
      '[client]',
      'gui.autostart=false',
      '',
    ].join('\n');
    let d: CompatDaemon;

    beforeEach(async () => {
      d = await startCompatDaemon(combination, {
        prepare: async (dataDir) => {
          mkdirSync(dataDir, { recursive: true, mode: 0o755 });
          writeFileSync(join(dataDir, 'multipassd.conf'), SETTINGS, { mode: 0o600 });
        },
      });
    });
    afterEach(async () => {
      await d?.stop();
    });

    it('keeps every other line, comment and group byte for byte when the passphrase is set, in Multipass’s place', async () => {
      const admin = d.client(d.admin);
      expect((await wireStream(admin, 'set', { key: 'local.passphrase', val: 'pw' })).code).to.equal(status.OK);

      const text = readFileSync(join(d.dataDir, 'multipassd.conf'), 'utf8');
      const lines = text.split('\n');
      const passphraseLine = lines.findIndex((line) => line.startsWith('local.passphrase='));
      expect(passphraseLine, 'in [General], as Multipass keeps it').to.be.greaterThan(lines.indexOf('[General]'));
      expect(passphraseLine).to.be.lessThan(lines.indexOf('[client]'));
      expect(lines.filter((_, i) => i !== passphraseLine).join('\n')).to.equal(SETTINGS);
      expect(text).not.to.contain('pw\n');

      const user = d.cliUser('newcomer');
      expect((await runCli(user, ['authenticate', 'pw'])).code).to.equal(0);
    });
  });
}
