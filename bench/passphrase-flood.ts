// Benchmark (npm run bench): 50 clients of one local user guess the passphrase without pause
// while another user (uid 65534) enrols with the right one and a trusted client pings 100
// times a second. What the others feel: enrolment latency and the trusted pings' p99.
import { status, type Client } from '@grpc/grpc-js';
import { chmodSync, chownSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../test/support/cli-process.js';
import { startDaemonProcess } from '../test/support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../test/support/grpc-wire-client.js';
import { NOBODY } from '../test/support/nobody.js';
import { cannotRunAsAnotherUser } from '../test/support/other-user.js';
import { quantile } from '../test/support/sqlite-lock-contention.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { makeTestCertificate, testCertificatePool } from '../test/support/test-certificates.js';
import type { BenchTable } from './bench-table.js';

export const GUESSERS = 50;
const ENROLMENTS = 5;

export async function measurePassphraseFlood(table: BenchTable): Promise<void> {
  const reason = cannotRunAsAnotherUser();
  if (reason !== undefined) {
    console.log(`passphrase flood: skipped (${reason})`);
    table.add(`passphrase flood: skipped (${reason})`, Number.NaN, '');
    return;
  }
  const temp = makeTempDir('mpa-bench-guess-');
  chmodSync(temp.path, 0o755);
  const daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${join(temp.path, 'multipass_socket')}`] });
  const clients: Client[] = [];
  try {
    const rootCert = readFileSync(daemon.rootCertPath, 'utf8');
    const admin = await makeTestCertificate('admin');
    const adminClient = wireClient(daemon.address, rootCert, { certPem: admin.pem, keyPem: admin.keyPem });
    clients.push(adminClient);
    if ((await wireStream(adminClient, 'set', { key: 'local.passphrase', val: 'correct horse' })).code !== status.OK) {
      throw new Error('cannot set the passphrase');
    }
    const guessers = (await testCertificatePool(GUESSERS)).map((cert) => wireClient(daemon.address, rootCert, { certPem: cert.pem, keyPem: cert.keyPem }));
    clients.push(...guessers);
    let flooding = true;
    let guesses = 0;
    const flood = guessers.map(async (client) => {
      while (flooding) {
        const outcome = await wireStream(client, 'authenticate', { passphrase: 'open sesame' });
        guesses += 1;
        if (outcome.code === status.UNAVAILABLE) await sleep(100);
      }
    });
    const pings: number[] = [];
    const pinging = (async () => {
      while (flooding) {
        const start = performance.now();
        if ((await wirePing(adminClient)).code !== status.OK) throw new Error('a trusted ping failed during the flood');
        pings.push(performance.now() - start);
        await sleep(10);
      }
    })();
    await sleep(2000);
    const enrolments: number[] = [];
    for (let i = 0; i < ENROLMENTS; i += 1) {
      const home = join(temp.path, `home-${i}`);
      mkdirSync(home);
      chownSync(home, NOBODY, NOBODY);
      const start = performance.now();
      const result = await runCli({ home, address: daemon.address, rootCertPath: daemon.rootCertPath, uid: NOBODY, gid: NOBODY }, ['authenticate', 'correct horse']);
      if (result.code !== 0) throw new Error(`enrolment failed: ${result.stderr}`);
      enrolments.push(performance.now() - start);
    }
    flooding = false;
    await Promise.all([...flood, pinging]);
    enrolments.sort((a, b) => a - b);
    pings.sort((a, b) => a - b);
    console.log(`passphrase flood: ${guesses} guesses answered; enrolments ${enrolments.map((ms) => ms.toFixed(0)).join(', ')} ms; ping p99 ${quantile(pings, 0.99).toFixed(1)} ms`);
    table.add(`another user's \`multipass authenticate\` (fresh CLI process), median of ${ENROLMENTS}`, quantile(enrolments, 0.5), 'ms', `max ${enrolments.at(-1)!.toFixed(0)} ms`);
    table.add(`trusted ping p99 (${pings.length} pings, 100/s)`, quantile(pings, 0.99), 'ms', `p50 ${quantile(pings, 0.5).toFixed(1)} ms`);
  } finally {
    clients.forEach((client) => client.close());
    await daemon.stop();
    temp.remove();
  }
}
