import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { runDaemonCommand, startDaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing } from '../support/grpc-wire-client.js';
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

    it('stops trusting a removed certificate in a running daemon without a restart', async () => {
      const daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${temp.path}/sock`, '--store', store] });
      const client = wireClient(daemon.address, readFileSync(daemon.rootCertPath, 'utf8'), { certPem: cert.pem, keyPem: cert.keyPem });
      try {
        // Someone else stays trusted, so the socket stays open and nobody is bootstrapped.
        const other = join(temp.path, 'other.pem');
        writeFileSync(other, (await makeTestCertificate('bob')).pem);
        expect((await trust('add', other)).code).to.equal(0);
        expect((await trust('add', certFile)).code).to.equal(0);
        expect((await wirePing(client)).code, 'trusted at once').to.equal(status.OK);
        expect((await trust('remove', cert.fingerprint)).code).to.equal(0);
        // The daemon also ends the connection it trusted: a ping that meets it closing is
        // UNAVAILABLE, and the client reconnects for the next.
        let code = status.OK;
        for (let attempt = 0; attempt < 100 && code !== status.UNAUTHENTICATED; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          code = (await wirePing(client)).code;
          expect([status.OK, status.UNAVAILABLE, status.UNAUTHENTICATED]).to.include(code);
        }
        expect(code).to.equal(status.UNAUTHENTICATED);
      } finally {
        client.close();
        await daemon.stop();
      }
    });
  });
}
