import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sqliteStorePath } from '../../src/app/paths.js';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { holdSqliteWriteLock } from '../support/sqlite-lock-holder.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

const HOLD_MS = 5000;
/** Loose: tells "served" from "frozen for the whole hold". The 50 ms goal is measured by the bench. */
const P99_BOUND_MS = 500;

describe('multipassd while another process holds the SQLite write lock', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  const clients: Client[] = [];

  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  it(`keeps serving trusted pings while an enrolment waits ${HOLD_MS / 1000} s for the lock, then enrols`, async function () {
    this.timeout(60_000);
    const dataDir = join(temp.path, 'data');
    daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${join(temp.path, 'sock')}`, '--store', 'sqlite'] });
    const rootCert = readFileSync(daemon.rootCertPath, 'utf8');
    const connect = async (name: string) => {
      const cert = await makeTestCertificate(name);
      const client = wireClient(daemon!.address, rootCert, { certPem: cert.pem, keyPem: cert.keyPem });
      clients.push(client);
      return client;
    };
    const admin = await connect('admin');
    expect((await wireStream(admin, 'list', {})).code, 'bootstrap').to.equal(status.OK);
    expect((await wireStream(admin, 'set', { key: 'local.passphrase', val: 'pw' })).code).to.equal(status.OK);
    const newcomer = await connect('newcomer');

    const lock = await holdSqliteWriteLock(sqliteStorePath(dataDir), HOLD_MS);
    const lockedAt = performance.now();
    // Open loop: a ping every 10 ms whether or not earlier ones were answered, so that a frozen
    // daemon shows in every ping sent meanwhile, not in a single slow one.
    const latencies: number[] = [];
    const failures: string[] = [];
    const inFlight: Array<Promise<void>> = [];
    const ticker = setInterval(() => {
      const sent = performance.now();
      inFlight.push(
        wirePing(admin).then((outcome) => {
          latencies.push(performance.now() - sent);
          if (outcome.code !== status.OK) failures.push(`${outcome.code}: ${outcome.details}`);
        }),
      );
    }, 10);

    await sleep(300);
    // The enrolment's insert needs the write lock the other process holds.
    const enrolment = await wireStream(newcomer, 'authenticate', { passphrase: 'pw' });
    const enrolledAfter = performance.now() - lockedAt;
    await lock.released;
    await sleep(200);
    clearInterval(ticker);
    await Promise.all(inFlight);

    expect(failures, 'every ping answered OK').to.deep.equal([]);
    const sorted = [...latencies].sort((x, y) => x - y);
    const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
    console.log(`      (${sorted.length} pings: p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms)`);
    expect(sorted.length, 'pings went on during the hold').to.be.above(20);
    expect(p99, 'p99 ping latency, ms').to.be.below(P99_BOUND_MS);
    expect(sorted.at(-1), 'slowest ping, ms').to.be.below(HOLD_MS / 2);
    expect(enrolment.code, enrolment.details).to.equal(status.OK);
    expect(enrolledAfter, 'the enrolment waited for the lock').to.be.above(HOLD_MS * 0.8);
    expect((await wirePing(newcomer)).code).to.equal(status.OK);
  });
});
