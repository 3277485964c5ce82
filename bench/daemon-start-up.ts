// Daemon start-up and memory against the size of the trust store (npm run bench): a fresh
// `multipassd` process is timed from spawn to its first answered trusted ping, and its
// resident memory read 3 s after spawn, for each store kind and store size, next to
// `node -e 0`: the floor no Node process goes below. The bench prepares each store here; the
// spawning and timing happen in a small child process (start-up-timer.ts), so what the bench
// itself holds (the 100,000-certificate corpus: fork copies the parent's page tables) weighs
// the same on every row and on the floor.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { trustedCertificateFromPem } from '../src/adapters/crypto/pem-certificates.js';
import { SqliteCertStore } from '../src/adapters/stores/sqlite/sqlite-cert-store.js';
import { pemCertStorePath, sqliteStorePath } from '../src/app/paths.js';
import { MULTIPASSD_BIN } from '../test/support/binaries.js';
import { cleanEnv, startDaemonProcess } from '../test/support/daemon-process.js';
import { NullLogger } from '../test/support/fakes/null-logger.js';
import { wireClient, wirePing } from '../test/support/grpc-wire-client.js';
import type { CertificateCorpus } from './certificate-corpus.js';

const TIMER = fileURLToPath(new URL('./start-up-timer.js', import.meta.url));

export type StoreKind = 'pem' | 'sqlite';

export interface StartUp {
  readonly store: StoreKind;
  readonly certificates: number;
  /** Median ms from spawn to the socket accepting a connection. */
  readonly listeningMs: number;
  /** Median ms from spawn to the first trusted ping answered OK. */
  readonly firstPingMs: number;
  /** Resident set 3 s after spawn, MB. */
  readonly rssMb: number;
}

export const START_UP_RUNS = 7;
const RSS_AFTER_MS = 3000;

export const residentMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Median ms of `node -e 0`, spawn to exit, timed in this process (the timer child's job). */
export async function nodeFloorHere(runs = 11): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i += 1) {
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', () => resolve());
    });
    if (i > 0) times.push(performance.now() - start);
  }
  return median(times);
}

/** A data dir holding `count` trusted certificates (the corpus's client first), with the daemon's identity made. */
async function prepare(dir: string, store: StoreKind, count: number, corpus: CertificateCorpus): Promise<{ dataDir: string; socket: string }> {
  const dataDir = join(dir, `${store}-${count}`, 'data');
  const socket = join(dir, `${store}-${count}`, 'sock');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (store === 'pem') {
    mkdirSync(join(dataDir, 'authenticated-certs'), { mode: 0o700 });
    copyFileSync(corpus.bundle(count), pemCertStorePath(dataDir));
  } else {
    const certs = new SqliteCertStore(sqliteStorePath(dataDir), new NullLogger());
    await certs.load();
    await certs.addAll(corpus.pems(count).map((pem) => trustedCertificateFromPem(pem)));
    await certs.close();
  }
  // A first start makes the daemon's identity (key generation is not what a start costs).
  const daemon = await startDaemonProcess({ dataDir, args: ['--address', `unix:${socket}`, '--store', store] });
  await daemon.stop();
  return { dataDir, socket };
}

/** Whether the Unix socket at `socket` accepts a connection now. */
export function acceptsConnections(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export interface TimedStarts {
  readonly dataDir: string;
  readonly socket: string;
  readonly store: StoreKind;
  /** The trusted client's certificate and key. */
  readonly client: { readonly pem: string; readonly keyPem: string };
  readonly runs: number;
}

/** Medians of `runs` starts of a prepared store (after one not counted), timed in this process (the timer child's job). */
export async function timeStartsHere(job: TimedStarts): Promise<Omit<StartUp, 'store' | 'certificates'>> {
  const listening: number[] = [];
  const pings: number[] = [];
  let rssMb = Number.NaN;
  // One start first, not counted: this process's first ping compiles its gRPC client, which
  // is no part of the daemon's start-up.
  await oneStart(job, false);
  for (let run = 0; run < job.runs; run += 1) {
    const result = await oneStart(job, run === job.runs - 1);
    listening.push(result.listeningMs);
    pings.push(result.firstPingMs);
    if (!Number.isNaN(result.rssMb)) rssMb = result.rssMb;
  }
  return { listeningMs: median(listening), firstPingMs: median(pings), rssMb };
}

async function oneStart(
  { dataDir, socket, store, client: clientCert }: TimedStarts,
  measureRss: boolean,
): Promise<{ listeningMs: number; firstPingMs: number; rssMb: number }> {
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, [MULTIPASSD_BIN, '--data-dir', dataDir, '--address', `unix:${socket}`, '--store', store], {
    env: cleanEnv(),
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    while (!(await acceptsConnections(socket))) {
      if (child.exitCode !== null) throw new Error(`multipassd exited with ${child.exitCode}`);
      if (performance.now() - start > 30_000) throw new Error('multipassd did not listen within 30 s');
      await sleep(2);
    }
    const listeningMs = performance.now() - start;
    const rootCert = readFileSync(join(dataDir, 'certificate', 'multipass_root_cert.pem'), 'utf8');
    const client = wireClient(`unix:${socket}`, rootCert, { certPem: clientCert.pem, keyPem: clientCert.keyPem });
    const outcome = await wirePing(client);
    const firstPingMs = performance.now() - start;
    client.close();
    if (outcome.code !== status.OK) throw new Error(`the bench client is not trusted: ${outcome.details}`);
    let rssMb = Number.NaN;
    if (measureRss) {
      await sleep(Math.max(0, RSS_AFTER_MS - (performance.now() - start)));
      rssMb = residentMb(child.pid!);
    }
    return { listeningMs, firstPingMs, rssMb };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Start-up figures for one store kind and size: the store prepared here, the starts timed by the timer child. */
export async function measureStartUp(dir: string, store: StoreKind, count: number, corpus: CertificateCorpus, runs = START_UP_RUNS): Promise<StartUp> {
  const { dataDir, socket } = await prepare(dir, store, count, corpus);
  const job: TimedStarts = { dataDir, socket, store, client: { pem: corpus.client.pem, keyPem: corpus.client.keyPem }, runs };
  const timed = (await inTimerChild(['starts', JSON.stringify(job)])) as Omit<StartUp, 'store' | 'certificates'>;
  return { store, certificates: count, ...timed };
}

/**
 * Starts a one-certificate PEM store a few times, untimed. On the machines measured, the
 * first daemon starts after the bench's other work came out 10-20 % slower than later ones,
 * whichever store and size came first (a cold machine, not the store): this comes before
 * the floor and every row, so that none of them is measured cold.
 */
export async function warmUpStartUps(dir: string, corpus: CertificateCorpus): Promise<void> {
  await measureStartUp(join(dir, 'warm-up'), 'pem', 1, corpus, 3);
}

/** Median ms of `node -e 0`, spawn to exit, spawned from the timer child as the daemons are. */
export async function nodeFloorMs(): Promise<number> {
  return (await inTimerChild(['floor'])) as number;
}

/** Runs start-up-timer.js with `args` and returns the JSON it prints. */
async function inTimerChild(args: readonly string[]): Promise<unknown> {
  const child = spawn(process.execPath, [TIMER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`the start-up timer exited with ${code}`);
  return JSON.parse(out) as unknown;
}
