import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliUser } from '../support/cli-process.js';
import { wirePing } from '../support/grpc-wire-client.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';
import { COMBINATIONS, label, startCompatDaemon, type CompatDaemon } from './compat-daemon.js';

const DAY = 24 * 60 * 60 * 1000;
const CERT_DIR = join('.local', 'share', 'multipass-client-certificate');

/** Gives a CLI user a client identity of the test's making (Multipass's file names and place). */
function withIdentity(user: CliUser, cert: TestCertificate): CliUser {
  const dir = join(user.home, CERT_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'multipass_cert.pem'), cert.pem);
  writeFileSync(join(dir, 'multipass_cert_key.pem'), cert.keyPem, { mode: 0o600 });
  return user;
}

for (const combination of COMBINATIONS) {
  describe(`compat: the CLI parses and exits as Multipass's, and certificates are pins (${label(combination)})`, function () {
    this.timeout(60_000);
    let d: CompatDaemon;
    let expired: TestCertificate;

    beforeEach(async () => {
      // A Multipass user of two years ago, trusted then: the certificate ran out a year ago.
      expired = await makeTestCertificate('old-multipass-client', {
        notBefore: new Date(Date.now() - 730 * DAY),
        notAfter: new Date(Date.now() - 365 * DAY),
      });
      d = await startCompatDaemon(combination, { preTrusted: [expired] });
    });
    afterEach(async () => {
      await d?.stop();
    });

    it('parses get and set as Multipass does, with its messages and exit codes', async () => {
      const admin = withIdentity(d.cliUser('admin'), d.admin);
      expect(await runCli(admin, ['get', '--keys'])).to.include({ code: 0, stdout: 'local.passphrase\n' });
      expect(await runCli(admin, ['get', 'local.passphrase'])).to.include({ code: 0, stdout: 'false\n' });
      expect(await runCli(admin, ['set', 'local.passphrase=a=b'])).to.include({ code: 1, stderr: 'Bad key-value format.\n' });
      const unknown = await runCli(admin, ['get', 'no.such.key']);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.contain("Unrecognized settings key: 'no.such.key'");
      expect(await runCli(admin, ['set', 'local.passphrase=pw'])).to.include({ code: 0, stderr: '' });
      expect(await runCli(admin, ['get', 'local.passphrase'])).to.include({ code: 0, stdout: 'true\n' });
    });

    it('exits 2 for a refused command and 3 when the daemon cannot be reached', async () => {
      const stranger = d.cliUser('stranger');
      expect((await runCli(stranger, ['list'])).code, 'not authenticated').to.equal(2);
      const nowhere: CliUser = {
        ...stranger,
        address: combination.transport === 'unix' ? `unix:${join(d.dir, 'no-such-socket')}` : '127.0.0.1:1',
      };
      expect((await runCli(nowhere, ['list'])).code).to.equal(3);
    });

    it('trusts a stored certificate whatever its dates, and the CLI keeps using it', async () => {
      expect((await wirePing(d.client(expired))).code).to.equal(status.OK);
      const old = withIdentity(d.cliUser('old'), expired);

      const listed = await runCli(old, ['list']);

      expect(listed.code, listed.stderr).to.equal(0);
      expect(listed.stdout).to.equal('No instances found.\n');
      expect(listed.stderr).to.contain('expired on').and.to.contain('is still used');
      const dir = join(old.home, CERT_DIR);
      expect(readFileSync(join(dir, 'multipass_cert.pem'), 'utf8'), 'never replaced on its own').to.equal(expired.pem);
    });

    if (combination.transport === 'unix') {
      it('takes a bare socket path in MULTIPASS_SERVER_ADDRESS, as Multipass does', async () => {
        const admin = withIdentity(d.cliUser('admin'), d.admin);
        const bare = { ...admin, address: d.daemon.address.slice('unix:'.length) };
        expect(await runCli(bare, ['list'])).to.include({ code: 0, stdout: 'No instances found.\n' });
      });
    }
  });
}
