// Benchmark: what a flood of connections that never authenticate costs the daemon, with the
// default caps (README, Security). Before the caps, 5,000 idle TLS connections cost ~440 MB.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemonProcess } from '../test/support/daemon-process.js';
import type { HostileKind } from '../test/support/hostile-generator.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { makeTestCertificate } from '../test/support/test-certificates.js';
import { residentMb } from './daemon-start-up.js';

const GENERATOR = fileURLToPath(new URL('../test/support/hostile-generator.js', import.meta.url));
const CONNECTIONS = 5000;

export interface FloodFigures {
  readonly idleMb: number;
  readonly peakMb: number;
  readonly peakFds: number;
  readonly baselineFds: number;
  readonly opened: number;
  readonly closedByServer: number;
}

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** 5,000 idle TLS connections (with a client certificate nobody trusts), from one local user, against the default caps. */
export async function measureFlood(): Promise<FloodFigures> {
  const temp = makeTempDir('mpa-bench-');
  const daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${join(temp.path, 'sock')}`] });
  try {
    const pid = daemon.child.pid!;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idleMb = residentMb(pid);
    const baselineFds = openFds(pid);
    const stranger = await makeTestCertificate('stranger');
    writeFileSync(join(temp.path, 'c.pem'), stranger.pem);
    writeFileSync(join(temp.path, 'k.pem'), stranger.keyPem);
    let peakMb = idleMb;
    let peakFds = baselineFds;
    const sampler = setInterval(() => {
      peakMb = Math.max(peakMb, residentMb(pid));
      peakFds = Math.max(peakFds, openFds(pid));
    }, 50);
    const result = await generate(daemon.address, 'idle-tls', CONNECTIONS, join(temp.path, 'c.pem'), join(temp.path, 'k.pem'));
    clearInterval(sampler);
    return { idleMb, peakMb, peakFds, baselineFds, ...result };
  } finally {
    await daemon.stop();
    temp.remove();
  }
}

function generate(address: string, kind: HostileKind, count: number, cert: string, key: string): Promise<{ opened: number; closedByServer: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GENERATOR, address, kind, String(count), '1000', '20000', cert, key], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => resolve(JSON.parse(out) as { opened: number; closedByServer: number }));
  });
}
