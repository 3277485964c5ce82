// Benchmarks (npm run bench). Timing targets live here, never in tests. Each part prints its
// own lines as it goes; one table gathers every figure at the end (README, Performance).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { status, type Client } from '@grpc/grpc-js';
import { PemFileCertStore } from '../src/adapters/stores/pem-file-cert-store.js';
import { pemCertStorePath } from '../src/app/paths.js';
import { startDaemonProcess } from '../test/support/daemon-process.js';
import { NullLogger } from '../test/support/fakes/null-logger.js';
import { wireClient, wirePing } from '../test/support/grpc-wire-client.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { makeTestCertificate } from '../test/support/test-certificates.js';
import { startAddressPrintingServer, type ComparisonServer } from './address-printing-server.js';
import { BenchTable, ratio } from './bench-table.js';
import { certificateCorpus, type CertificateCorpus } from './certificate-corpus.js';
import { measureCliColdStart } from './cli-cold-start.js';
import { buildCppServer, startCppServer, type CppBuild } from './cpp-grpc-server.js';
import { measureStartUp, nodeFloorMs, START_UP_RUNS, warmUpStartUps, type StartUp, type StoreKind } from './daemon-start-up.js';
import { measureFlood } from './hostile-flood.js';
import { GUESSERS, measurePassphraseFlood } from './passphrase-flood.js';
import { measureSqliteLockContention } from './sqlite-lock-contention.js';
import { IN_FLIGHT, trustedPings } from './trusted-pings.js';

const PINGS = 6000;
/**
 * Untimed pings each server gets first, at the same load: a long-running server's cost per
 * call is what the row is about, not V8 compiling its code, which went on for the first few
 * thousand calls and counted against the servers with the most JavaScript (under callgrind:
 * about 280,000 instructions per call for the daemon measured after 2,000 calls, 170,000 after
 * 10,000: bench/per-call-instructions.ts).
 */
const WARM_UP_PINGS = 10_000;
const STORE_SIZE = 5000;
const START_UP_SIZES = [1, 10_000, 100_000];
const BARE_SERVER = fileURLToPath(new URL('./bare-grpc-server.js', import.meta.url));
const BARE_HTTP2_SERVER = fileURLToPath(new URL('./bare-http2-server.js', import.meta.url));

interface PerCall {
  /** The server process's CPU per call, µs. */
  readonly cpuMicros: number;
  readonly rps: number;
}

async function main(): Promise<void> {
  const table = new BenchTable();
  const temp = makeTempDir('mpa-bench-');
  try {
    const corpus = await certificateCorpus(temp.path);
    await perCallRows(table, temp.path, corpus);
    // BENCH_ONLY=per-call: only these rows, for a quick check.
    if (process.env.BENCH_ONLY !== 'per-call') {
      await cliRows(table);
      await startUpRows(table, temp.path, corpus);
    }
  } finally {
    temp.remove();
  }
  if (process.platform === 'linux' && process.env.BENCH_ONLY !== 'per-call') {
    const flood = await measureFlood();
    table.section(`a flood of ${flood.opened} idle TLS connections from one user (default caps)`);
    table.add('daemon resident memory, idle → peak', flood.peakMb, 'MB', `idle ${flood.idleMb.toFixed(0)} MB`);
    table.add('open descriptors at peak', flood.peakFds, '', `idle ${flood.baselineFds}`);
  }
  if (process.env.BENCH_ONLY !== 'per-call') {
    table.section(`while ${GUESSERS} clients of one user guess the passphrase without pause`);
    await measurePassphraseFlood(table);
    table.section('stores under load');
    await measureSqliteLockContention(table);
    await (await import('./postgres-fleet.js')).measurePostgresFleet(table);
  }

  console.log(`\n## npm run bench, ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}\n`);
  console.log(table.render());
}

/**
 * Trusted pings through the daemon (our TLS front, trust check) beside grpc-js's own TLS
 * server, each in a process of its own so that its CPU is the server's alone (read from
 * /proc), over Unix and TCP; over Unix also beside gRPC's C++ server configured as
 * Multipass's daemon, when it builds here. The client is this process, the same for all.
 */
async function perCallRows(table: BenchTable, dir: string, corpus: CertificateCorpus): Promise<void> {
  const dataDir = join(dir, 'percall', 'data');
  mkdirSync(join(dataDir, 'authenticated-certs'), { recursive: true, mode: 0o700 });
  writeFileSync(pemCertStorePath(dataDir), corpus.pems(STORE_SIZE).join(''), { mode: 0o600 });

  const loadStart = performance.now();
  const store = new PemFileCertStore(pemCertStorePath(dataDir), new NullLogger());
  await store.load();
  const loadMs = performance.now() - loadStart;
  await store.close();
  const cppBuild = await buildCppServer(dir);
  if ('skipped' in cppBuild) console.log(`gRPC C++ comparison: ${cppBuild.skipped}`);

  table.section(`per call: trusted ping, ${IN_FLIGHT} in flight, server CPU per call from /proc (store of ${STORE_SIZE.toLocaleString('en-US')})`);
  for (const transport of ['unix', 'tcp'] as const) {
    const daemon = await startDaemonProcess({ dataDir, args: ['--address', transport === 'unix' ? `unix:${join(dir, 'percall', 'sock')}` : '127.0.0.1:0'] });
    const rootCert = readFileSync(daemon.rootCertPath, 'utf8');
    const bare = await startBareServer(transport === 'unix' ? `unix:${join(dir, 'percall', 'bare.sock')}` : '127.0.0.1:0', dataDir);
    const client = wireClient(daemon.address, rootCert, { certPem: corpus.client.pem, keyPem: corpus.client.keyPem });
    const bareClient = wireClient(bare.address, rootCert);
    const h2 = await startAddressPrintingServer('bare node:http2 server', process.execPath, [
      BARE_HTTP2_SERVER,
      transport === 'unix' ? `unix:${join(dir, 'percall', 'h2.sock')}` : '127.0.0.1:0',
      ...serverKeyPair(dataDir),
      pemCertStorePath(dataDir),
    ]);
    const h2Client = wireClient(h2.address, rootCert, { certPem: corpus.client.pem, keyPem: corpus.client.keyPem });
    const cpp = transport === 'unix' ? await startCppComparison(cppBuild, join(dir, 'percall', 'cpp.sock'), dataDir, rootCert, corpus) : undefined;
    try {
      if ((await wirePing(client)).code !== status.OK) throw new Error('bench client is not trusted');
      for (const warming of [client, bareClient, h2Client, ...(cpp === undefined ? [] : [cpp.client])]) await trustedPings(warming, WARM_UP_PINGS);
      // Alternating rounds, keeping each server's best.
      const rounds = { ours: [] as PerCall[], bare: [] as PerCall[], h2: [] as PerCall[], cpp: [] as PerCall[] };
      for (let round = 0; round < 2; round += 1) {
        rounds.ours.push(await pingLoad(client, daemon.child.pid!));
        rounds.bare.push(await pingLoad(bareClient, bare.child.pid!));
        rounds.h2.push(await pingLoad(h2Client, h2.child.pid!));
        if (cpp !== undefined) rounds.cpp.push(await pingLoad(cpp.client, cpp.server.child.pid!));
      }
      const ours = best(rounds.ours);
      const theirs = best(rounds.bare);
      console.log(`${transport}: daemon ${ours.cpuMicros.toFixed(0)} µs server CPU/call, ${ours.rps.toFixed(0)} calls/s; bare grpc-js ${theirs.cpuMicros.toFixed(0)} µs, ${theirs.rps.toFixed(0)} calls/s`);
      table.add(`${transport}: server CPU per call, daemon`, ours.cpuMicros, 'µs', `${ratio(ours.cpuMicros, theirs.cpuMicros)} bare grpc-js TLS (${theirs.cpuMicros.toFixed(0)} µs); goal ≤ 1.0×`);
      table.add(`${transport}: calls per second, daemon`, ours.rps, 'calls/s', `bare grpc-js TLS: ${theirs.rps.toFixed(0)}`);
      const floor = best(rounds.h2);
      table.add(`${transport}: server CPU per call, bare node:http2 TLS`, floor.cpuMicros, 'µs', `daemon / it: ${ratio(ours.cpuMicros, floor.cpuMicros)}; ${floor.rps.toFixed(0)} calls/s`);
      if (transport === 'unix') cppRows(table, ours, cppBuild, rounds.cpp);
      if (transport === 'unix') {
        const stranger = await makeTestCertificate('stranger');
        const untrusted = wireClient(daemon.address, rootCert, { certPem: stranger.pem, keyPem: stranger.keyPem });
        await wirePing(untrusted);
        const refusedStart = performance.now();
        for (let i = 0; i < 500; i += 1) await wirePing(untrusted);
        table.add('unix: refused ping round trip (sequential)', ((performance.now() - refusedStart) * 1000) / 500, 'µs');
        untrusted.close();
      }
    } finally {
      client.close();
      bareClient.close();
      h2Client.close();
      h2.child.kill('SIGTERM');
      cpp?.client.close();
      await daemon.stop();
      bare.child.kill('SIGTERM');
      cpp?.server.child.kill('SIGTERM');
    }
  }
  table.add(`PEM store load in process, ${STORE_SIZE.toLocaleString('en-US')} certificates`, loadMs, 'ms');
}

/**
 * The C++ server on `address`, trusting the same store of certificates as the daemon, and a
 * client presenting the bench's certificate. Checked first: the trusted client is answered and
 * a stranger refused, so that the row measures a server that does check.
 */
async function startCppComparison(build: CppBuild, address: string, dataDir: string, rootCert: string, corpus: CertificateCorpus): Promise<{ server: ComparisonServer; client: Client } | undefined> {
  if ('skipped' in build) return undefined;
  const server = await startCppServer(build.binary, `unix:${address}`, ...serverKeyPair(dataDir), pemCertStorePath(dataDir));
  const client = wireClient(server.address, rootCert, { certPem: corpus.client.pem, keyPem: corpus.client.keyPem });
  const stranger = await makeTestCertificate('stranger');
  const untrusted = wireClient(server.address, rootCert, { certPem: stranger.pem, keyPem: stranger.keyPem });
  const refused = await wirePing(untrusted);
  untrusted.close();
  const trusted = await wirePing(client);
  if (trusted.code !== status.OK || refused.code !== status.UNAUTHENTICATED) {
    client.close();
    server.child.kill('SIGTERM');
    throw new Error(`the C++ server's trust check is wrong: trusted ${status[trusted.code]}, stranger ${status[refused.code]}`);
  }
  return { server, client };
}

function cppRows(table: BenchTable, ours: PerCall, build: CppBuild, rounds: readonly PerCall[]): void {
  const label = 'unix: server CPU per call, gRPC C++ (Multipass-like)';
  if ('skipped' in build) {
    table.note(label, build.skipped);
    return;
  }
  const cpp = best(rounds);
  console.log(`unix: gRPC C++ (Multipass-like) ${cpp.cpuMicros.toFixed(0)} µs server CPU/call, ${cpp.rps.toFixed(0)} calls/s`);
  table.add(label, cpp.cpuMicros, 'µs', `daemon / C++: ${ratio(ours.cpuMicros, cpp.cpuMicros)} (goal ≤ 1.3×); ${cpp.rps.toFixed(0)} calls/s`);
}

const best = (runs: readonly PerCall[]): PerCall => runs.reduce((a, b) => (a.cpuMicros <= b.cpuMicros ? a : b));

/** User + system CPU of a process so far, µs (from /proc, in clock ticks of 10 ms). */
function cpuMicrosOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** PINGS pings, IN_FLIGHT at a time (the server warmed up before); CPU is the server process's. */
async function pingLoad(client: Client, serverPid: number): Promise<PerCall> {
  const cpu = cpuMicrosOf(serverPid);
  const start = performance.now();
  await trustedPings(client, PINGS);
  const elapsed = performance.now() - start;
  return { cpuMicros: (cpuMicrosOf(serverPid) - cpu) / PINGS, rps: PINGS / (elapsed / 1000) };
}

/** grpc-js's own TLS server with the daemon's certificate and no client certificate: what we compare to. */
function startBareServer(address: string, dataDir: string): Promise<ComparisonServer> {
  return startAddressPrintingServer('bare grpc-js server', process.execPath, [BARE_SERVER, address, ...serverKeyPair(dataDir)]);
}

/** The daemon's own server certificate and key, for the comparison servers to present. */
const serverKeyPair = (dataDir: string): [string, string] => [join(dataDir, 'certificate', 'localhost.pem'), join(dataDir, 'certificate', 'localhost_key.pem')];

async function cliRows(table: BenchTable): Promise<void> {
  const results = await measureCliColdStart();
  table.section('CLI cold start against a running daemon (median of 21 fresh processes each)');
  for (const { command, medianMs, ratio: times } of results) {
    console.log(`  ${command.padEnd(30)} ${medianMs.toFixed(1)} ms  ${times.toFixed(2)}× node -e 0`);
    table.add(command, medianMs, 'ms', command === 'node -e 0' ? 'the floor' : `${times.toFixed(2)}× node -e 0${command === 'multipass list' ? '; goal ≤ 2.0×' : ''}`);
  }
}

async function startUpRows(table: BenchTable, dir: string, corpus: CertificateCorpus): Promise<void> {
  await warmUpStartUps(dir, corpus);
  const floor = await nodeFloorMs();
  table.section(`daemon start-up: spawn → first trusted ping answered (median of ${START_UP_RUNS}), RSS 3 s after spawn; node -e 0: ${floor.toFixed(0)} ms`);
  // Measured smallest first for both stores, then tabled by store. The spawns come from a small
  // timer process (daemon-start-up.ts), so the large corpus this process holds (fork copies
  // its page tables) weighs on no row; the order is kept so that no row can inherit it.
  const results = new Map<string, StartUp>();
  for (const count of START_UP_SIZES) {
    for (const store of ['pem', 'sqlite'] as StoreKind[]) {
      const result = await measureStartUp(dir, store, count, corpus);
      console.log(`${store} ${count}: listening ${result.listeningMs.toFixed(0)} ms, first ping ${result.firstPingMs.toFixed(0)} ms, RSS ${result.rssMb.toFixed(1)} MB`);
      results.set(`${store} ${count}`, result);
    }
  }
  for (const store of ['pem', 'sqlite'] as StoreKind[]) {
    const first = results.get(`${store} ${START_UP_SIZES[0]}`)!;
    for (const count of START_UP_SIZES) {
      const result = results.get(`${store} ${count}`)!;
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
