// Benchmarks (npm run bench). Timing targets live here, never in tests. Each part prints its
// own lines as it goes; one table gathers every figure at the end (README, Performance).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Server, ServerCredentials, status, type Client } from '@grpc/grpc-js';
import { multipassRpcDefinition } from '../src/adapters/rpc/proto.js';
import { PemFileCertStore } from '../src/adapters/stores/pem-file-cert-store.js';
import { resolveDaemonConfig } from '../src/app/config/daemon-config.js';
import { startDaemon } from '../src/app/daemon.js';
import { pemCertStorePath } from '../src/app/paths.js';
import { NullLogger } from '../test/support/fakes/null-logger.js';
import { wireClient, wirePing } from '../test/support/grpc-wire-client.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { makeTestCertificate } from '../test/support/test-certificates.js';
import { BenchTable, ratio } from './bench-table.js';
import { certificateCorpus, type CertificateCorpus } from './certificate-corpus.js';
import { measureCliColdStart } from './cli-cold-start.js';
import { measureStartUp, nodeFloorMs, type StoreKind } from './daemon-start-up.js';
import { measureFlood } from './hostile-flood.js';
import { measureSqliteLockContention } from './sqlite-lock-contention.js';

const PINGS = 2000;
const IN_FLIGHT = 32;
const STORE_SIZE = 5000;
const START_UP_SIZES = [1, 10_000, 100_000];

interface PerCall {
  /** CPU of this process (client and server both in it) per call, µs. */
  readonly cpuMicros: number;
  readonly rps: number;
}

async function main(): Promise<void> {
  const table = new BenchTable();
  const temp = makeTempDir('mpa-bench-');
  try {
    const corpus = await certificateCorpus(temp.path);
    await perCallRows(table, temp.path, corpus);
    const floor = await nodeFloorMs();
    await cliRows(table);
    await startUpRows(table, temp.path, corpus, floor);
  } finally {
    temp.remove();
  }
  if (process.platform === 'linux') {
    const flood = await measureFlood();
    table.section(`a flood of ${flood.opened} idle TLS connections from one user (default caps)`);
    table.add('daemon resident memory, idle → peak', flood.peakMb, 'MB', `idle ${flood.idleMb.toFixed(0)} MB`);
    table.add('open descriptors at peak', flood.peakFds, '', `idle ${flood.baselineFds}`);
  }
  table.section('stores under load');
  await measureSqliteLockContention(table);
  await (await import('./postgres-fleet.js')).measurePostgresFleet(table);

  console.log(`\n## npm run bench, ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}\n`);
  console.log(table.render());
}

/** Trusted pings through the daemon (our TLS front, trust check) beside grpc-js's own TLS server, over Unix and TCP. */
async function perCallRows(table: BenchTable, dir: string, corpus: CertificateCorpus): Promise<void> {
  const dataDir = join(dir, 'percall', 'data');
  mkdirSync(join(dataDir, 'authenticated-certs'), { recursive: true });
  writeFileSync(pemCertStorePath(dataDir), corpus.pems(STORE_SIZE).join(''));

  const loadStart = performance.now();
  const store = new PemFileCertStore(pemCertStorePath(dataDir), new NullLogger());
  await store.load();
  const loadMs = performance.now() - loadStart;
  await store.close();

  table.section(`per call: trusted ping, ${IN_FLIGHT} in flight, client and server in one process (store of ${STORE_SIZE})`);
  for (const transport of ['unix', 'tcp'] as const) {
    const address = transport === 'unix' ? `unix:${join(dir, 'percall', 'sock')}` : '127.0.0.1:0';
    const config = resolveDaemonConfig({ dataDir, address }, { uid: process.getuid?.() ?? 1000, vars: {} }, process.platform);
    const daemon = await startDaemon(config, 'bench', { logger: new NullLogger() });
    const rootCert = readFileSync(join(dataDir, 'certificate', 'multipass_root_cert.pem'), 'utf8');
    const client = wireClient(daemon.address, rootCert, { certPem: corpus.client.pem, keyPem: corpus.client.keyPem });
    if ((await wirePing(client)).code !== status.OK) throw new Error('bench client is not trusted');
    const ours = await pingLoad(client);
    let refusedMicros = Number.NaN;
    if (transport === 'unix') {
      const stranger = await makeTestCertificate('stranger');
      const untrusted = wireClient(daemon.address, rootCert, { certPem: stranger.pem, keyPem: stranger.keyPem });
      await wirePing(untrusted);
      const refusedStart = performance.now();
      for (let i = 0; i < 500; i += 1) await wirePing(untrusted);
      refusedMicros = ((performance.now() - refusedStart) * 1000) / 500;
      untrusted.close();
    }
    client.close();
    await daemon.stop();
    const bare = await bareGrpc(transport === 'unix' ? `unix:${join(dir, 'percall', 'bare.sock')}` : '127.0.0.1:0', dataDir, rootCert);
    console.log(`${transport}: ours ${ours.cpuMicros.toFixed(0)} µs CPU/call, ${ours.rps.toFixed(0)} calls/s; bare grpc-js ${bare.cpuMicros.toFixed(0)} µs, ${bare.rps.toFixed(0)} calls/s`);
    table.add(`${transport}: CPU per call, daemon`, ours.cpuMicros, 'µs', `${ratio(ours.cpuMicros, bare.cpuMicros)} bare grpc-js TLS (${bare.cpuMicros.toFixed(0)} µs); goal ≤ 1.0×`);
    table.add(`${transport}: calls per second, daemon`, ours.rps, 'calls/s', `bare grpc-js TLS: ${bare.rps.toFixed(0)}`);
    if (!Number.isNaN(refusedMicros)) table.add('unix: refused ping round trip (sequential)', refusedMicros, 'µs');
  }
  table.add(`PEM store load in process, ${STORE_SIZE} certificates`, loadMs, 'ms');
}

/** PINGS pings, IN_FLIGHT at a time, after a warm-up. */
async function pingLoad(client: Client): Promise<PerCall> {
  for (let i = 0; i < 200; i += 1) await wirePing(client);
  let next = 0;
  const worker = async () => {
    while (next < PINGS) {
      next += 1;
      if ((await wirePing(client)).code !== status.OK) throw new Error('a ping failed under load');
    }
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { cpuMicros: (used.user + used.system) / PINGS, rps: PINGS / (elapsed / 1000) };
}

/** The same load on grpc-js's own TLS server with no client certificate: what we compare to. */
async function bareGrpc(address: string, dataDir: string, rootCert: string): Promise<PerCall> {
  const server = new Server();
  server.addService(multipassRpcDefinition(), { ping: (_call: unknown, callback: (e: null, r: object) => void) => callback(null, {}) });
  const credentials = ServerCredentials.createSsl(null, [
    {
      cert_chain: readFileSync(join(dataDir, 'certificate', 'localhost.pem')),
      private_key: readFileSync(join(dataDir, 'certificate', 'localhost_key.pem')),
    },
  ]);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
  const client = wireClient(address.startsWith('unix:') ? address : `127.0.0.1:${port}`, rootCert);
  const result = await pingLoad(client);
  client.close();
  server.forceShutdown();
  return result;
}

async function cliRows(table: BenchTable): Promise<void> {
  const results = await measureCliColdStart();
  table.section('CLI cold start against a running daemon (median of 21 fresh processes each)');
  for (const { command, medianMs, ratio: times } of results) {
    console.log(`  ${command.padEnd(30)} ${medianMs.toFixed(1)} ms  ${times.toFixed(2)}× node -e 0`);
    table.add(command, medianMs, 'ms', command === 'node -e 0' ? 'the floor' : `${times.toFixed(2)}× node -e 0${command === 'multipass list' ? '; goal ≤ 2.0×' : ''}`);
  }
}

async function startUpRows(table: BenchTable, dir: string, corpus: CertificateCorpus, floor: number): Promise<void> {
  table.section(`daemon start-up: spawn → first trusted ping answered (median of 3), RSS 3 s after spawn; node -e 0: ${floor.toFixed(0)} ms`);
  for (const store of ['pem', 'sqlite'] as StoreKind[]) {
    let first: { firstPingMs: number; rssMb: number } | undefined;
    for (const count of START_UP_SIZES) {
      const result = await measureStartUp(dir, store, count, corpus);
      console.log(`${store} ${count}: listening ${result.listeningMs.toFixed(0)} ms, first ping ${result.firstPingMs.toFixed(0)} ms, RSS ${result.rssMb.toFixed(1)} MB`);
      first ??= result;
      const label = `${store}, ${count.toLocaleString('en-US')} certificate${count === 1 ? '' : 's'}`;
      if (count === 1) {
        table.add(`${label}: start-up`, result.firstPingMs, 'ms', `${ratio(result.firstPingMs, floor)} node -e 0 (goal ≤ 3×); listening at ${result.listeningMs.toFixed(0)} ms`);
        table.add(`${label}: RSS`, result.rssMb, 'MB');
      } else {
        const goal = count === 100_000 ? ' (goal ≤ 1.3×)' : '';
        table.add(`${label}: start-up`, result.firstPingMs, 'ms', `${ratio(result.firstPingMs, first.firstPingMs)} 1 certificate${goal}; ${ratio(result.firstPingMs, floor)} node -e 0`);
        table.add(`${label}: RSS`, result.rssMb, 'MB', `${ratio(result.rssMb, first.rssMb)} 1 certificate${count === 100_000 ? ' (goal ≤ 1.5×)' : ''}`);
      }
    }
  }
}

await main();
