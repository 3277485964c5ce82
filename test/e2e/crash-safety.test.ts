import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificates.js';

const ROUNDS = 4;
const CLIENTS_PER_ROUND = 6;

/**
 * Durability under SIGKILL and concurrent writers, for each store: an `authenticate` that
 * returned OK is a promise the store must keep, whatever happens next.
 */
for (const store of ['pem', 'sqlite'] as const) {
  describe(`crash safety of the ${store} store`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let daemon: DaemonProcess | undefined;
    const clients: Client[] = [];
    const dataDir = () => join(temp.path, 'data');
    const start = async () => {
      daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`, '--store', store] });
      return daemon;
    };
    const client = (running: DaemonProcess, cert: TestCertificate) => {
      const c = wireClient(running.address, readFileSync(running.rootCertPath, 'utf8'), { certPem: cert.pem, keyPem: cert.keyPem });
      clients.push(c);
      return c;
    };
    const closeClients = () => clients.splice(0).forEach((c) => c.close());

    beforeEach(async () => {
      temp = makeTempDir();
      const first = await start();
      const admin = client(first, await makeTestCertificate('admin'));
      expect((await wireStream(admin, 'version', {})).code).to.equal(status.OK);
      expect((await wireStream(admin, 'set', { key: 'local.passphrase', val: 'pw' })).code).to.equal(status.OK);
    });

    afterEach(async () => {
      closeClients();
      await daemon?.stop();
      temp.remove();
    });

    it('keeps every certificate whose authenticate returned OK across repeated SIGKILLs', async () => {
      const promised: TestCertificate[] = [];
      let interrupted = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const running = daemon ?? (await start());
        const certs = await Promise.all(Array.from({ length: CLIENTS_PER_ROUND }, () => makeTestCertificate()));
        const outcomes = certs.map((cert) =>
          wireStream(client(running, cert), 'authenticate', { passphrase: 'pw' }).then((outcome) => ({ cert, outcome })),
        );
        // Kill while authentications are in flight: later rounds wait longer, to land at different points
        // (one peer's checks run one at a time, so the later rounds see several complete).
        await new Promise((resolve) => setTimeout(resolve, 300 + round * 300));
        await running.stop('SIGKILL');
        daemon = undefined;
        for (const { cert, outcome } of await Promise.all(outcomes)) {
          if (outcome.code === status.OK) promised.push(cert);
          else interrupted += 1;
        }
        closeClients();
      }

      const restarted = await start();
      for (const cert of promised) {
        expect((await wirePing(client(restarted, cert))).code, `certificate ${cert.fingerprint} was promised`).to.equal(status.OK);
      }
      const listed = await runDaemonCommand(['trust', 'list', '--data-dir', dataDir(), '--store', store]);
      expect(listed.code, listed.stderr).to.equal(0);
      for (const cert of promised) expect(listed.stdout).to.contain(cert.fingerprint);
      console.log(`      (${promised.length} authenticated before a kill, ${interrupted} cut off)`);
    });

    it('loses no certificate when several trust add processes and the daemon write at once', async () => {
      const running = daemon!;
      const offline = await Promise.all(Array.from({ length: 6 }, () => makeTestCertificate('offline')));
      const files = offline.map((cert, index) => {
        const file = join(temp.path, `cert-${index}.pem`);
        writeFileSync(file, cert.pem);
        return file;
      });
      const online = await Promise.all(Array.from({ length: 4 }, () => makeTestCertificate('online')));

      const [adds, auths] = await Promise.all([
        Promise.all(files.map((file) => runDaemonCommand(['trust', 'add', file, '--data-dir', dataDir(), '--store', store]))),
        Promise.all(online.map((cert) => wireStream(client(running, cert), 'authenticate', { passphrase: 'pw' }))),
      ]);
      for (const add of adds) expect(add.code, add.stderr).to.equal(0);
      for (const auth of auths) expect(auth.code, auth.details).to.equal(status.OK);

      for (const cert of [...offline, ...online]) {
        expect((await wirePing(client(running, cert))).code, 'trusted while the daemon runs').to.equal(status.OK);
      }
      await running.stop();
      daemon = undefined;
      const listed = await runDaemonCommand(['trust', 'list', '--data-dir', dataDir(), '--store', store]);
      for (const cert of [...offline, ...online]) expect(listed.stdout).to.contain(cert.fingerprint);
    });
  });
}
