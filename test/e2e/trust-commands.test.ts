import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemonCommand } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';

for (const store of ['pem', 'sqlite'] as const) {
  describe(`multipassd trust add / list / remove on the ${store} store`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let cert: TestCertificate;
    let certFile: string;
    const trust = (...args: string[]) => runDaemonCommand(['trust', ...args, '--data-dir', join(temp.path, 'data'), '--store', store]);

    beforeEach(async () => {
      temp = makeTempDir();
      cert = await makeTestCertificate('alice-laptop');
      certFile = join(temp.path, 'alice.pem');
      writeFileSync(certFile, cert.pem);
    });
    afterEach(() => temp.remove());

    it('adds, lists and removes a certificate, idempotently', async () => {
      expect(await trust('list')).to.include({ code: 0, stdout: 'No trusted certificates.\n' });
      expect(await trust('add', certFile)).to.include({ code: 0, stdout: `Trusted ${cert.fingerprint}\n` });
      expect(await trust('add', certFile)).to.include({ code: 0, stdout: `Already trusted ${cert.fingerprint}\n` });

      const listed = await trust('list');
      expect(listed.code).to.equal(0);
      expect(listed.stdout.trim().split('\n')).to.have.length(1);
      expect(listed.stdout).to.match(new RegExp(`^${cert.fingerprint}  .*CN=alice-laptop.*valid until \\d{4}-`));

      const colons = cert.fingerprint.toUpperCase().match(/../g)!.join(':');
      expect(await trust('remove', colons)).to.include({ code: 0, stdout: `Removed ${cert.fingerprint}\n` });
      expect(await trust('list')).to.include({ stdout: 'No trusted certificates.\n' });
      const again = await trust('remove', cert.fingerprint);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.equal(`multipassd: no trusted certificate has fingerprint ${cert.fingerprint}\n`);
    });

    it('refuses a file that is not one certificate, and a malformed fingerprint, with one line each', async () => {
      const keyFile = join(temp.path, 'key.pem');
      writeFileSync(keyFile, cert.keyPem);
      const notCert = await trust('add', keyFile);
      expect(notCert.code).to.equal(1);
      expect(notCert.stderr).to.match(/^multipassd: '.*key\.pem': Expected exactly one PEM certificate, found: PRIVATE KEY\.\n$/);

      const missing = await trust('add', join(temp.path, 'nope.pem'));
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.match(/^multipassd: cannot read '.*nope\.pem': ENOENT/);

      const badPrint = await trust('remove', 'abc');
      expect(badPrint.code).to.equal(1);
      expect(badPrint.stderr).to.contain("'abc' is not a SHA-256 fingerprint");
      expect(await trust('list')).to.include({ stdout: 'No trusted certificates.\n' });
    });
  });
}
