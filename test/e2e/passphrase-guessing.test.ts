import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { chmodSync, chownSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { cannotRunAsAnotherUser } from '../support/other-user.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

const NOBODY = 65534;
const ATTACKERS = 50;
const ENROLMENTS = 33;

describe('guessing the passphrase', function () {
  this.timeout(180_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;

  beforeEach(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    daemon = await startDaemonProcess({
      dataDir: join(temp.path, 'data'),
      args: ['--address', `unix:${join(temp.path, 'multipass_socket')}`],
    });
  });

  afterEach(async () => {
    await daemon.stop();
    temp.remove();
  });

  it('is slow for the guesser, logged with the peer, and never locks another user out', async function () {
    const reason = cannotRunAsAnotherUser();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    const rootCert = readFileSync(daemon.rootCertPath, 'utf8');
    const admin = await makeTestCertificate('admin');
    const adminClient = wireClient(daemon.address, rootCert, { certPem: admin.pem, keyPem: admin.keyPem });
    expect((await wireStream(adminClient, 'version', {})).code).to.equal(status.OK);
    expect((await wireStream(adminClient, 'set', { key: 'local.passphrase', val: 'correct horse' })).code).to.equal(status.OK);
    adminClient.close();

    // 50 clients of one local user (root here), each with its own certificate, guessing without pause.
    const outcomes = new Map<number, number>();
    const floodOver = new AbortController();
    const attackers = await Promise.all(
      Array.from({ length: ATTACKERS }, async () => {
        const cert = await makeTestCertificate('guesser');
        return wireClient(daemon.address, rootCert, { certPem: cert.pem, keyPem: cert.keyPem });
      }),
    );
    const flood = attackers.map(async (client) => {
      while (!floodOver.signal.aborted) {
        const outcome = await wireStream(client, 'authenticate', { passphrase: 'open sesame' }, floodOver.signal);
        if (floodOver.signal.aborted) break;
        outcomes.set(outcome.code, (outcomes.get(outcome.code) ?? 0) + 1);
        // Refused connections (over the per-user cap, or closed at the untrusted deadline) fail
        // at once; pause so this process's own loop does not starve the machine.
        if (outcome.code === status.UNAVAILABLE) await new Promise((resolve) => setTimeout(resolve, 100));
        if (outcome.code === status.RESOURCE_EXHAUSTED) {
          expect(outcome.details).to.match(/^Too many failed authentication attempts\. Please try again in \d+ seconds?\.$/);
        }
      }
    });
    const floodStarted = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2000));

    // Meanwhile another user enrols, again and again, each time with a fresh client certificate.
    const slow: string[] = [];
    const times: number[] = [];
    const homes: string[] = [];
    for (let i = 0; i < ENROLMENTS; i += 1) {
      const home = join(temp.path, `home-${i}`);
      mkdirSync(home);
      chownSync(home, NOBODY, NOBODY);
      const user = { home, address: daemon.address, rootCertPath: daemon.rootCertPath, uid: NOBODY, gid: NOBODY };
      const started = Date.now();
      const result = await runCli(user, ['authenticate', 'correct horse']);
      const took = Date.now() - started;
      expect(result, `enrolment ${i + 1}`).to.include({ code: 0, stderr: '' });
      times.push(took);
      if (took >= 5000) slow.push(`enrolment ${i + 1} took ${took} ms`);
      homes.push(home);
    }
    // Guesses still queued in the daemon would be answered only as its throttle lets them (up to
    // half a minute here); cancelling them is what a guesser who gives up does.
    floodOver.abort();
    await Promise.all(flood);
    attackers.forEach((client) => client.close());
    // The daemon frees their connection slots as their sockets close.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Checked once the guessers are gone: they are the same local user as this test process, and
    // their connections fill that user's share of untrusted connections.
    for (const [i, home] of homes.entries()) {
      const identity = join(home, '.local', 'share', 'multipass-client-certificate');
      const enrolled = wireClient(daemon.address, rootCert, {
        certPem: readFileSync(join(identity, 'multipass_cert.pem'), 'utf8'),
        keyPem: readFileSync(join(identity, 'multipass_cert_key.pem'), 'utf8'),
      });
      expect((await wirePing(enrolled)).code, `trusted after enrolment ${i + 1}`).to.equal(status.OK);
      enrolled.close();
    }
    const floodMinutes = (Date.now() - floodStarted) / 60_000;

    expect(slow, 'every legitimate enrolment within 5 s').to.deep.equal([]);
    const wrong = outcomes.get(status.INVALID_ARGUMENT) ?? 0;
    expect(wrong, 'wrong guesses actually checked').to.be.greaterThan(0);
    expect(wrong / Math.max(1, Math.ceil(floodMinutes)), 'checked wrong guesses per minute for one user').to.be.at.most(10);
    expect(outcomes.get(status.RESOURCE_EXHAUSTED) ?? 0, 'the rest refused at once, with the wait').to.be.greaterThan(0);
    console.log(`      (enrolments took ${Math.min(...times)}-${Math.max(...times)} ms; ${wrong} guesses checked in ${floodMinutes.toFixed(1)} min, ${outcomes.get(status.RESOURCE_EXHAUSTED) ?? 0} refused at once)`);

    // Each refusal is logged at info with the certificate and the peer, never the passphrase.
    const refusals = daemon
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"refused an enrolment"'))
      .map((line) => JSON.parse(line) as { level: number; fingerprint: string; peer: { uid: number; user: string | null } });
    // At least one line per refusal a guesser saw (a few more: answers cut off when the daemon
    // closed guessers' connections at the untrusted-connection deadline).
    expect(refusals.length).to.be.at.least(wrong + (outcomes.get(status.RESOURCE_EXHAUSTED) ?? 0));
    const seen = [...outcomes.keys()].filter((code) => ![status.INVALID_ARGUMENT, status.RESOURCE_EXHAUSTED, status.UNAVAILABLE].includes(code));
    expect(seen, 'no other answer to a guess').to.deep.equal([]);
    for (const refusal of refusals) {
      expect(refusal.level).to.equal(30);
      expect(refusal.fingerprint).to.match(/^[0-9a-f]{64}$/);
      expect(refusal.peer).to.deep.include({ uid: 0, user: 'root' });
    }
    expect(daemon.stderr()).to.not.include('open sesame');
    expect(daemon.stderr()).to.not.include('correct horse');
  });
});
