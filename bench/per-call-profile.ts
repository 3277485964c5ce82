// `node --cpu-prof dist/bench/per-call-profile.js`: trusted pings, 32 in flight, against an
// in-process daemon, for profiling the trusted-call path (issue 10, part 3).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDaemonConfig } from '../src/app/config/daemon-config.js';
import { startDaemon } from '../src/app/daemon.js';
import { pemCertStorePath } from '../src/app/paths.js';
import { NullLogger } from '../test/support/fakes/null-logger.js';
import { wireClient } from '../test/support/grpc-wire-client.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { certificateCorpus } from './certificate-corpus.js';
import { trustedPings } from './trusted-pings.js';

const CALLS = Number(process.argv[2] ?? 10_000);
const temp = makeTempDir('mpa-bench-prof-');
try {
  const corpus = await certificateCorpus(temp.path);
  const dataDir = join(temp.path, 'data');
  mkdirSync(join(dataDir, 'authenticated-certs'), { recursive: true });
  writeFileSync(pemCertStorePath(dataDir), corpus.client.pem);
  const config = resolveDaemonConfig({ dataDir, address: `unix:${join(temp.path, 'sock')}` }, { uid: process.getuid?.() ?? 1000, vars: {} }, process.platform);
  const daemon = await startDaemon(config, 'bench', { logger: new NullLogger() });
  const client = wireClient(daemon.address, readFileSync(join(dataDir, 'certificate', 'multipass_root_cert.pem'), 'utf8'), {
    certPem: corpus.client.pem,
    keyPem: corpus.client.keyPem,
  });
  const start = performance.now();
  await trustedPings(client, CALLS);
  console.log(`${CALLS} pings in ${(performance.now() - start).toFixed(0)} ms`);
  client.close();
  await daemon.stop();
} finally {
  temp.remove();
}
