// Benchmarks (npm run bench). Timing targets live here, never in tests.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { multipassRpcDefinition } from '../src/adapters/rpc/proto.js';
import { PemFileCertStore } from '../src/adapters/stores/pem-file-cert-store.js';
import { resolveDaemonConfig } from '../src/app/config/daemon-config.js';
import { startDaemon } from '../src/app/daemon.js';
import { pemCertStorePath } from '../src/app/paths.js';
import { NullLogger } from '../test/support/fakes/null-logger.js';
import { wireClient, wirePing } from '../test/support/grpc-wire-client.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { testCertificatePool } from '../test/support/test-certificates.js';

import { reportCliColdStart } from './cli-cold-start.js';
import { measureFlood } from './hostile-flood.js';
import { measureSqliteLockContention } from './sqlite-lock-contention.js';

const PINGS = 2000;
const STORE_SIZE = 5000;

async function main(): Promise<void> {
  const temp = makeTempDir('mpa-bench-');
  try {
    const pool = await testCertificatePool(50);
    // Real certificates: the store derives fingerprints from the bytes, so none can be faked.
    const big = await testCertificatePool(STORE_SIZE);
    const dataDir = join(temp.path, 'data');
    mkdirSync(join(dataDir, 'authenticated-certs'), { recursive: true });
    writeFileSync(pemCertStorePath(dataDir), big.map((cert) => cert.pem).join(''));

    const loadStart = performance.now();
    const store = new PemFileCertStore(pemCertStorePath(dataDir), new NullLogger());
    await store.load();
    report(`PEM store load, ${store.size()} certificates`, performance.now() - loadStart, 'ms total');
    await store.close();

    const config = resolveDaemonConfig(
      { dataDir, address: `unix:${temp.path}/sock` },
      { uid: process.getuid?.() ?? 1000, vars: {} },
      process.platform,
    );
    const daemon = await startDaemon(config, 'bench', { logger: new NullLogger() });
    const rootCert = readFileSync(join(dataDir, 'certificate', 'multipass_root_cert.pem'), 'utf8');
    const trusted = big[0]!;
    const client = wireClient(daemon.address, rootCert, { certPem: trusted.pem, keyPem: trusted.keyPem });
    if ((await wirePing(client)).code !== status.OK) throw new Error('bench client is not trusted');
    for (let i = 0; i < 200; i += 1) await wirePing(client); // warm-up

    const start = performance.now();
    for (let i = 0; i < PINGS; i += 1) await wirePing(client);
    const elapsed = performance.now() - start;
    report(`trusted ping round trip (store of ${big.length})`, (elapsed * 1000) / PINGS, 'µs per call');
    report('trusted pings per second (sequential)', PINGS / (elapsed / 1000), 'calls/s');

    const stranger = pool[1]!;
    const untrusted = wireClient(daemon.address, rootCert, { certPem: stranger.pem, keyPem: stranger.keyPem });
    await wirePing(untrusted);
    const refusedStart = performance.now();
    for (let i = 0; i < 500; i += 1) await wirePing(untrusted);
    report('refused ping round trip', ((performance.now() - refusedStart) * 1000) / 500, 'µs per call');

    client.close();
    untrusted.close();
    await daemon.stop();

    const baseline = await bareGrpcPingMicros(temp.path, dataDir, rootCert);
    report('baseline: grpc-js own TLS server, no trust check', baseline, 'µs per call');
    report('overhead of our TLS front + trust check', ((elapsed * 1000) / PINGS / baseline - 1) * 100, '%');
  } finally {
    temp.remove();
  }

  if (process.platform === 'linux') {
    const flood = await measureFlood();
    console.log(`a flood of ${flood.opened} idle TLS connections from one user (default caps: 32 per user, 256 in all)`);
    report('  daemon resident memory, idle', flood.idleMb, 'MB');
    report('  daemon resident memory, peak under the flood', flood.peakMb, 'MB');
    report('  open descriptors, idle / peak', flood.baselineFds, `/ ${flood.peakFds}`);
    report('  connections the daemon closed at once or at a deadline', flood.closedByServer, `of ${flood.opened}`);
  }
  await measureSqliteLockContention();
  await reportCliColdStart();
  await (await import('./postgres-fleet.js')).measurePostgresFleet();
}

/** The same ping on grpc-js's own TLS server with no client certificate: what we compare to. */
async function bareGrpcPingMicros(dir: string, dataDir: string, rootCert: string): Promise<number> {
  const server = new Server();
  server.addService(multipassRpcDefinition(), { ping: (_call: unknown, callback: (e: null, r: object) => void) => callback(null, {}) });
  const credentials = ServerCredentials.createSsl(null, [
    {
      cert_chain: readFileSync(join(dataDir, 'certificate', 'localhost.pem')),
      private_key: readFileSync(join(dataDir, 'certificate', 'localhost_key.pem')),
    },
  ]);
  const address = `unix:${dir}/bare.sock`;
  await new Promise<void>((resolve, reject) => server.bindAsync(address, credentials, (error) => (error ? reject(error) : resolve())));
  const client = wireClient(address, rootCert);
  for (let i = 0; i < 200; i += 1) await wirePing(client);
  const start = performance.now();
  for (let i = 0; i < PINGS; i += 1) await wirePing(client);
  const micros = ((performance.now() - start) * 1000) / PINGS;
  client.close();
  server.forceShutdown();
  return micros;
}

function report(what: string, value: number, unit: string): void {
  console.log(`${what.padEnd(50)} ${value.toFixed(1).padStart(10)} ${unit}`);
}

await main();
