// Benchmark (part of npm run bench): a fleet sharing the PostgreSQL store. How long a daemon
// takes to load 10,000 trusted certificates and what they cost it in memory, and how long a
// change made through one daemon takes to reach every other one (pushed with NOTIFY).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PostgresCertStore } from '../src/adapters/stores/postgres/postgres-cert-store.js';
import { PostgresPool } from '../src/adapters/stores/postgres/postgres-pool.js';
import { PostgresTarget } from '../src/adapters/stores/postgres/postgres-target.js';
import type { Fingerprint } from '../src/domain/fingerprint.js';
import { NullLogger } from '../test/support/fakes/null-logger.js';
import { postgresUnavailable, startPostgresCluster } from '../test/support/postgres-cluster.js';
import { quantile } from '../test/support/sqlite-lock-contention.js';
import { testCertificatePool } from '../test/support/test-certificates.js';
import type { BenchTable } from './bench-table.js';

const CERTIFICATES = 10_000;
const DAEMONS = 20;
const CHANGES = 200;
const GOAL_MS = 1000;

/** A full collection, so that heap figures count what is kept, not garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

export async function measurePostgresFleet(table: BenchTable): Promise<void> {
  const unavailable = postgresUnavailable();
  if (unavailable !== undefined) {
    console.log(`PostgreSQL fleet: skipped (${unavailable})`);
    table.add(`PostgreSQL fleet: skipped (${unavailable})`, Number.NaN, '');
    return;
  }
  const cluster = await startPostgresCluster();
  const stores: PostgresCertStore[] = [];
  const open = (url: string) => {
    const store = new PostgresCertStore(new PostgresPool(new PostgresTarget(url), new NullLogger()), new NullLogger());
    stores.push(store);
    return store;
  };
  try {
    const url = cluster.url(await cluster.createDatabase());
    const certs = await testCertificatePool(CERTIFICATES + CHANGES);
    const writer = open(url);
    await writer.load();
    await writer.addAll(certs.slice(0, CERTIFICATES).map((cert) => ({ fingerprint: cert.fingerprint, pem: cert.pem })));

    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const loadStart = performance.now();
    const first = open(url);
    await first.load();
    const loadMs = performance.now() - loadStart;
    collectGarbage();
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    const others = [first];
    for (let i = 1; i < DAEMONS; i += 1) others.push(open(url));
    await Promise.all(others.slice(1).map((store) => store.load()));
    if (others.some((store) => store.size() !== CERTIFICATES)) throw new Error('a daemon did not load every certificate');

    const latencies: number[] = [];
    for (const cert of certs.slice(CERTIFICATES)) {
      for (const change of ['add', 'remove'] as const) {
        const start = performance.now();
        if (change === 'add') await writer.add({ fingerprint: cert.fingerprint, pem: cert.pem });
        else await writer.remove(cert.fingerprint);
        await untilAll(others, cert.fingerprint, change === 'add');
        latencies.push(performance.now() - start);
      }
    }
    latencies.sort((x, y) => x - y);
    const line = (what: string, value: number, unit: string) => console.log(`${what.padEnd(50)} ${value.toFixed(1).padStart(10)} ${unit}`);
    console.log(`PostgreSQL fleet: ${DAEMONS} daemons' stores (each its pool and LISTEN connection), ${CERTIFICATES} trusted certificates`);
    line('  one daemon loads them', loadMs, 'ms');
    line('  its in-memory index (heap)', heapMb, 'MB');
    line(`  a change through one, seen by all ${DAEMONS - 1} others: p50`, quantile(latencies, 0.5), 'ms');
    line('  p99', quantile(latencies, 0.99), 'ms');
    line('  max', latencies.at(-1) ?? Number.NaN, 'ms');
    table.add(`PostgreSQL fleet of ${DAEMONS}: a trust change seen by every other daemon, p99`, quantile(latencies, 0.99), 'ms', `goal < ${GOAL_MS} ms`);
    table.add(`PostgreSQL: one daemon loads ${CERTIFICATES} certificates`, loadMs, 'ms', `index ${heapMb.toFixed(1)} MB of heap`);
    console.log(`  ${quantile(latencies, 0.99) < GOAL_MS ? 'meets' : 'MISSES'} the goal (every daemon within ${GOAL_MS} ms); ${latencies.length} changes`);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await cluster.destroy();
  }
}

/** Resolves once every store agrees on `fingerprint` (checked at each turn of the event loop). */
async function untilAll(stores: readonly PostgresCertStore[], fingerprint: Fingerprint, trusted: boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (stores.some((store) => store.contains(fingerprint) !== trusted)) {
    if (performance.now() > deadline) throw new Error('a change did not reach every daemon within 10 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
