import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient } from '../support/grpc-wire-client.js';
import { encodeRequest, rawCall, type RawOutcome, type RpcMethod } from '../support/raw-rpc.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate, testCertificatePool, type TestCertificate } from '../support/test-certificates.js';

/** Bounded in count and in time; override with SOAK_CYCLES and SOAK_MINUTES (per store). */
const CYCLES = positive('SOAK_CYCLES', 1000);
const MAX_MINUTES = positive('SOAK_MINUTES', 20);
/** Enrolments in flight when the kill comes: each is a ~250 ms scrypt, four may run at once. */
const IN_FLIGHT = 3;
/** With no answer to wait for, the kill lands this soon after the requests go out (at random). */
const EARLY_KILL_MS = 300;
/** After the answer it waits for, the kill lands within this (at random), amid the other writes. */
const JITTER_MS = 60;
const PASSPHRASE = 'soak-passphrase';
/** No honest answer takes this long, even on a loaded machine: reaching it means the daemon hung. */
const DEADLINE_MS = 30_000;
const STORES = (process.env.SOAK_STORES ?? 'pem,sqlite').split(',');

/**
 * `npm run soak`: the crash-safety promise, a thousand times per store. Each cycle starts the
 * daemon on what the last one left, checks that the certificates it acknowledged are still
 * trusted, sends a few enrolments, and SIGKILLs the daemon at a random moment. An
 * `authenticate` that answered OK is a promise: the count of acknowledged-and-lost
 * certificates must be 0. Unix socket in a temp dir only: nothing leaves the machine.
 */
for (const store of (['pem', 'sqlite'] as const).filter((kind) => STORES.includes(kind))) {
  describe(`SIGKILL soak of the ${store} store`, function () {
    this.timeout((MAX_MINUTES + 5) * 60_000);
    let temp: ReturnType<typeof makeTempDir>;
    let daemon: DaemonProcess | undefined;
    const dataDir = () => join(temp.path, 'data');
    const start = async () => {
      // Debug logging: if the daemon ever stops answering, its log says what it last did.
      daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`, '--store', store, '-v'] });
      return daemon;
    };
    const connect = (running: DaemonProcess, cert: TestCertificate): Client =>
      wireClient(running.address, readFileSync(running.rootCertPath, 'utf8'), { certPem: cert.pem, keyPem: cert.keyPem });
    /** One call on its own connection, with a deadline. */
    const call = async (running: DaemonProcess, cert: TestCertificate, method: RpcMethod, request: object = {}): Promise<RawOutcome> => {
      const client = connect(running, cert);
      try {
        return await rawCall(client, method, [encodeRequest(client, method, request)], DEADLINE_MS);
      } finally {
        client.close();
      }
    };
    /** A trusted ping: OK, or refused (lost); a daemon that does not answer fails the soak at once. */
    const stillTrusted = async (running: DaemonProcess, cert: TestCertificate, when: string): Promise<boolean> => {
      const outcome = await call(running, cert, 'ping');
      if (outcome.code === status.DEADLINE_EXCEEDED || outcome.code === status.UNAVAILABLE) {
        throw new Error(`${when}: the daemon did not answer a ping (${status[outcome.code]}: ${outcome.details})\n${running.stderr()}`);
      }
      return outcome.code === status.OK;
    };

    before(() => (temp = makeTempDir('mpa-soak-')));
    after(async () => {
      await daemon?.stop('SIGKILL');
      temp.remove();
    });

    it(`loses no acknowledged certificate over ${CYCLES} SIGKILLs (at most ${MAX_MINUTES} minutes)`, async () => {
      const certs = await testCertificatePool(CYCLES * IN_FLIGHT);
      const random = seededRandom(store === 'pem' ? 1 : 2);
      const first = await start();
      const admin = await makeTestCertificate('admin');
      expect((await call(first, admin, 'list')).code).to.equal(status.OK);
      expect((await call(first, admin, 'set', { key: 'local.passphrase', val: PASSPHRASE })).code).to.equal(status.OK);

      const acknowledged: TestCertificate[] = [];
      const lost = new Set<string>();
      const unanswered: string[] = [];
      let previous: TestCertificate[] = [];
      let cutOff = 0;
      const began = Date.now();
      const deadline = began + MAX_MINUTES * 60_000;
      let cycle = 0;
      for (; cycle < CYCLES && Date.now() < deadline; cycle += 1) {
        const running = daemon ?? (await start());
        for (const cert of previous) {
          if (!(await stillTrusted(running, cert, `cycle ${cycle}`))) lost.add(cert.fingerprint);
        }
        const batch = certs.slice(cycle * IN_FLIGHT, (cycle + 1) * IN_FLIGHT);
        const settled: RawOutcome[] = [];
        const outcomes = batch.map((cert) => call(running, cert, 'authenticate', { passphrase: PASSPHRASE }).then((o) => (settled.push(o), o)));
        await killMoment(outcomes, random);
        if (settled.some((outcome) => outcome.code === status.DEADLINE_EXCEEDED)) {
          // Is the whole daemon stuck, or only that connection? Ask on a new one before the kill.
          const probe = await call(running, admin, 'ping');
          unanswered.push(
            `cycle ${cycle}: ${settled.map((o) => `${status[o.code]} ${o.details}`).join('; ')}\n` +
              `a new trusted ping then: ${status[probe.code]} ${probe.details}\n${running.stderr()}`,
          );
        }
        await running.stop('SIGKILL');
        daemon = undefined;
        previous = [];
        (await Promise.all(outcomes)).forEach((outcome, i) => {
          if (outcome.code === status.OK) previous.push(batch[i] as TestCertificate);
          else cutOff += 1;
        });
        acknowledged.push(...previous);
        // A daemon that stops answering is a failure of its own, not a crash to survive.
        expect(unanswered, 'authenticate calls the daemon never answered').to.deep.equal([]);
      }

      // Every promise made over the whole run, not only the last cycle's, as another process reads the store.
      const restarted = daemon ?? (await start());
      for (const cert of previous) {
        if (!(await stillTrusted(restarted, cert, 'after the last cycle'))) lost.add(cert.fingerprint);
      }
      await restarted.stop();
      daemon = undefined;
      const listed = await runDaemonCommand(['trust', 'list', '--data-dir', dataDir(), '--store', store], {}, 60_000);
      expect(listed.code, listed.stderr).to.equal(0);
      for (const cert of acknowledged) if (!listed.stdout.includes(cert.fingerprint)) lost.add(cert.fingerprint);

      const minutes = ((Date.now() - began) / 60_000).toFixed(2);
      const stopped = cycle < CYCLES ? `, stopped by the ${MAX_MINUTES}-minute limit` : '';
      console.log(
        `      ${store}: ${cycle} SIGKILL cycles in ${minutes} min${stopped}; ${acknowledged.length} acknowledged, ` +
          `${cutOff} cut off, ${lost.size} acknowledged and lost`,
      );
      expect([...lost], 'acknowledged and lost').to.deep.equal([]);
    });
  });
}

/**
 * Waits for the k-th answer (k drawn from 0 to all of them), then a little more: kills land
 * before any answer, between answers and after all of them, whatever the machine's speed.
 */
async function killMoment(outcomes: ReadonlyArray<Promise<unknown>>, random: () => number): Promise<void> {
  const k = Math.floor(random() * (outcomes.length + 1));
  if (k === 0) return sleep(random() * EARLY_KILL_MS);
  let answered = 0;
  await new Promise<void>((resolve) => {
    for (const outcome of outcomes) void outcome.then(() => (answered += 1) === k && resolve());
  });
  await sleep(random() * JITTER_MS);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.floor(ms)));

function positive(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got '${text}'`);
  return value;
}

/** mulberry32: kill moments that are random, yet the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
