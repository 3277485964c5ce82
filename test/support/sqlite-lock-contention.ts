import { status, type Client } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sqliteStorePath } from '../../src/app/paths.js';
import { startDaemonProcess } from './daemon-process.js';
import { wireClient, wirePing, wireStream, type WireOutcome } from './grpc-wire-client.js';
import { holdSqliteWriteLock } from './sqlite-lock-holder.js';
import { makeTestCertificate } from './test-certificates.js';

export interface ContentionRun {
  /** Round trips of the trusted pings sent while the lock was held, in ms, sorted. */
  readonly latencies: readonly number[];
  /** Pings that did not answer OK. */
  readonly failures: readonly string[];
  /** The enrolment whose write needed the lock. */
  readonly enrolment: WireOutcome;
  /** From the lock being taken to the enrolment's answer, ms. */
  readonly enrolledAfterMs: number;
  /** Whether the enrolled client is trusted afterwards. */
  readonly enrolledIsTrusted: boolean;
}

/**
 * A real `multipassd --store sqlite` (a process of its own, so a frozen event loop shows):
 * another process holds the database's write lock for `holdMs` while a trusted client pings
 * every 10 ms (open loop: a ping is sent on time even while earlier ones wait, so a freeze
 * delays every ping sent during it) and a newcomer enrols, which needs the lock to write.
 */
export async function pingsUnderSqliteLock(dir: string, holdMs: number): Promise<ContentionRun> {
  const dataDir = join(dir, 'data');
  const daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${join(dir, 'sock')}`, '--store', 'sqlite'] });
  const clients: Client[] = [];
  try {
    const rootCert = readFileSync(daemon.rootCertPath, 'utf8');
    const connect = async (name: string) => {
      const cert = await makeTestCertificate(name);
      const client = wireClient(daemon.address, rootCert, { certPem: cert.pem, keyPem: cert.keyPem });
      clients.push(client);
      return client;
    };
    const admin = await connect('admin');
    await expectOk(wireStream(admin, 'list', {}), 'bootstrap');
    await expectOk(wireStream(admin, 'set', { key: 'local.passphrase', val: 'pw' }), 'set local.passphrase');
    const newcomer = await connect('newcomer');

    const lock = await holdSqliteWriteLock(sqliteStorePath(dataDir), holdMs);
    const lockedAt = performance.now();
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
    const enrolment = await wireStream(newcomer, 'authenticate', { passphrase: 'pw' });
    const enrolledAfterMs = performance.now() - lockedAt;
    await lock.released;
    await sleep(200);
    clearInterval(ticker);
    await Promise.all(inFlight);
    const enrolledIsTrusted = (await wirePing(newcomer)).code === status.OK;
    return { latencies: latencies.sort((x, y) => x - y), failures, enrolment, enrolledAfterMs, enrolledIsTrusted };
  } finally {
    clients.forEach((client) => client.close());
    await daemon.stop();
  }
}

/** The value at quantile `q` (0..1) of sorted values. */
export const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;

async function expectOk(call: Promise<WireOutcome>, what: string): Promise<void> {
  const outcome = await call;
  if (outcome.code !== status.OK) throw new Error(`${what} failed: ${outcome.code} ${outcome.details}`);
}
