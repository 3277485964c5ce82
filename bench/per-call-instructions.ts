// `node dist/bench/per-call-instructions.js [daemon|http2|grpc-js ...] [--calls N] [--warm-up N]`:
// user-space instructions per trusted ping, counted by valgrind's callgrind, for the daemon and
// the bench's bare servers under the same load as npm run bench's per-call rows (32 in flight,
// a store of 5,000). Server CPU time on a shared machine moves ±20 % between identical runs;
// this count a few percent (when the collections fall), whatever else the machine does, so it
// is how a change to the trusted-call path is judged. It leaves out the kernel (syscalls, TLS
// socket I/O), which CPU time includes: compare Node servers with each other here, and with
// gRPC C++ (which trades instructions for threads and syscalls) only by CPU time.
// Needs `apt-get install -y valgrind`; a few minutes per server.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@grpc/grpc-js';
import { pemCertStorePath } from '../src/app/paths.js';
import { MULTIPASSD_BIN } from '../test/support/binaries.js';
import { startDaemonProcess } from '../test/support/daemon-process.js';
import { wireClient } from '../test/support/grpc-wire-client.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { certificateCorpus, type CertificateCorpus } from './certificate-corpus.js';
import { acceptsConnections } from './daemon-start-up.js';
import { trustedPings } from './trusted-pings.js';

const SERVERS = ['daemon', 'http2', 'grpc-js'] as const;
type Server = (typeof SERVERS)[number];
const STORE_SIZE = 5000;
const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args.splice(at, 2)[1]);
};
const calls = option('--calls', 3000);
const warmUp = option('--warm-up', 10_000);
const chosen = args.length === 0 ? SERVERS : args.filter((name): name is Server => (SERVERS as readonly string[]).includes(name));

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.log('skipped: valgrind is not installed (apt-get install -y valgrind)');
  process.exit(0);
}

const temp = makeTempDir('mpa-bench-instructions-');
try {
  const corpus = await certificateCorpus(temp.path);
  const dataDir = join(temp.path, 'data');
  mkdirSync(join(dataDir, 'authenticated-certs'), { recursive: true, mode: 0o700 });
  writeFileSync(pemCertStorePath(dataDir), corpus.pems(STORE_SIZE).join(''), { mode: 0o600 });
  // A first start makes the daemon's identity, which the bare servers present too.
  await (await startDaemonProcess({ dataDir, args: ['--address', `unix:${join(temp.path, 'first.sock')}`] })).stop();
  for (const server of chosen) {
    const perCall = await instructionsPerCall(server, dataDir, corpus);
    console.log(`${server.padEnd(8)} ${Math.round(perCall).toLocaleString('en-US').padStart(9)} instructions per trusted ping (${calls} calls after ${warmUp} untimed)`);
  }
} finally {
  temp.remove();
}

async function instructionsPerCall(server: Server, dataDir: string, corpus: CertificateCorpus): Promise<number> {
  const socket = join(temp.path, `${server}.sock`);
  const out = join(temp.path, `${server}.callgrind`);
  const keyPair = [join(dataDir, 'certificate', 'localhost.pem'), join(dataDir, 'certificate', 'localhost_key.pem')];
  const target = {
    daemon: [MULTIPASSD_BIN, '--data-dir', dataDir, '--address', `unix:${socket}`],
    http2: [script('bare-http2-server.js'), `unix:${socket}`, ...keyPair, pemCertStorePath(dataDir)],
    'grpc-js': [script('bare-grpc-server.js'), `unix:${socket}`, ...keyPair],
  }[server];
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...target], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let client: Client | undefined;
  try {
    const started = Date.now();
    while (!(await acceptsConnections(socket))) {
      if (child.exitCode !== null || Date.now() - started > 180_000) throw new Error(`${server} did not listen under valgrind`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const rootCert = readFileSync(join(dataDir, 'certificate', 'multipass_root_cert.pem'), 'utf8');
    client = wireClient(`unix:${socket}`, rootCert, { certPem: corpus.client.pem, keyPem: corpus.client.keyPem });
    await trustedPings(client, warmUp);
    execFileSync('callgrind_control', ['--zero', String(child.pid)], { stdio: 'ignore' });
    await trustedPings(client, calls);
    execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
    // The dump is the second file: callgrind numbers them `<out>.1`, `<out>.2`, ...
    const dump = readdirSync(temp.path).find((name) => name.startsWith(`${server}.callgrind.`));
    const summary = dump === undefined ? undefined : /^summary: (\d+)$/m.exec(readFileSync(join(temp.path, dump), 'utf8'));
    if (summary === undefined || summary === null) throw new Error(`no callgrind dump for ${server}`);
    return Number(summary[1]) / calls;
  } finally {
    client?.close();
    child.kill('SIGTERM');
    await exited;
  }
}
