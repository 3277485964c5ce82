import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { wireClient, wirePing, wireStream } from '../support/grpc-wire-client.js';
import { HOSTILE_KINDS, type HostileKind } from '../support/hostile-generator.js';
import { cannotRunAsAnotherUser } from '../support/other-user.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

const GENERATOR = fileURLToPath(new URL('../support/hostile-generator.js', import.meta.url));
/** The README's documented bound for the daemon's resident memory under a flood, with the default caps. */
const MEMORY_BOUND_MB = 200;

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
const residentMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
};

interface GeneratorResult {
  readonly kind: HostileKind;
  readonly opened: number;
  readonly closedByServer: number;
}

/** One attacker process; `uid` runs it as another user (root only). */
function runGenerator(
  address: string,
  kind: HostileKind,
  count: number,
  options: { uid?: number; cert?: string; key?: string; durationMs?: number } = {},
): Promise<GeneratorResult> {
  const args = [GENERATOR, address, kind, String(count), '64', String(options.durationMs ?? 8000)];
  if (options.cert !== undefined && options.key !== undefined) args.push(options.cert, options.key);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`generator ${kind} exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as GeneratorResult);
    });
  });
}

describe('a hostile local user cannot exhaust the daemon', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;

  before(function () {
    if (process.platform !== 'linux') {
      console.log('      skipped: counts descriptors through /proc (Linux)');
      this.skip();
    }
  });

  beforeEach(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    daemon = await startDaemonProcess({
      dataDir: join(temp.path, 'data'),
      args: ['--address', `unix:${join(temp.path, 'multipass_socket')}`],
      // Short deadlines keep the test quick; the caps are the defaults the README documents.
      env: { MULTIPASSD_HANDSHAKE_TIMEOUT: '1', MULTIPASSD_UNTRUSTED_CONNECTION_TIMEOUT: '2' },
    });
  });

  afterEach(async () => {
    await daemon.stop();
    temp.remove();
  });

  it('closes 2,000+ connections of every hostile kind, keeps serving a trusted client, and gives back every descriptor', async () => {
    const pid = daemon.child.pid!;
    const rootCert = readFileSync(daemon.rootCertPath, 'utf8');
    const admin = await makeTestCertificate('admin');
    const trusted = wireClient(daemon.address, rootCert, { certPem: admin.pem, keyPem: admin.keyPem });
    expect((await wireStream(trusted, 'version', {})).code, 'bootstrap').to.equal(status.OK);
    expect((await wirePing(trusted)).code).to.equal(status.OK);
    const baseline = openFds(pid);

    // An untrusted certificate, for the kinds that finish the handshake.
    const stranger = await makeTestCertificate('stranger');
    const certFile = join(temp.path, 'stranger.pem');
    const keyFile = join(temp.path, 'stranger-key.pem');
    writeFileSync(certFile, stranger.pem);
    writeFileSync(keyFile, stranger.keyPem, { mode: 0o644 });

    let calls = 0;
    const failures: string[] = [];
    let peakMb = 0;
    let flooding = true;
    const caller = (async () => {
      while (flooding) {
        const outcome = await wirePing(trusted);
        calls += 1;
        if (outcome.code !== status.OK) failures.push(`${outcome.code} ${outcome.details}`);
        peakMb = Math.max(peakMb, residentMb(pid));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const otherUser = cannotRunAsAnotherUser(GENERATOR);
    if (otherUser !== undefined) console.log(`      (every generator runs as this user: ${otherUser})`);
    const generators = HOSTILE_KINDS.flatMap((kind) => {
      const identity = kind === 'malformed-h2' || kind === 'idle-tls' ? { cert: certFile, key: keyFile } : {};
      return [
        runGenerator(daemon.address, kind, 250, identity),
        runGenerator(daemon.address, kind, 150, { ...identity, ...(otherUser === undefined ? { uid: 65534 } : {}) }),
      ];
    });
    const results = await Promise.all(generators);
    flooding = false;
    await caller;

    const opened = results.reduce((sum, r) => sum + r.opened, 0);
    expect(opened).to.be.at.least(2000);
    expect(failures, `trusted calls that failed during the flood (of ${calls})`).to.deep.equal([]);
    expect(calls).to.be.greaterThan(20);
    for (const result of results) {
      expect(result.closedByServer, `${result.kind}: the daemon closes them, not the attacker`).to.be.greaterThan(0);
    }

    // Every hostile connection is gone within the deadlines: back to the baseline exactly.
    let now = openFds(pid);
    for (let waited = 0; now > baseline && waited < 15_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      now = openFds(pid);
    }
    expect(now, 'open descriptors after the flood, against the baseline').to.equal(baseline);
    expect(peakMb, 'peak resident memory (MB)').to.be.below(MEMORY_BOUND_MB);
    expect((await wirePing(trusted)).code).to.equal(status.OK);
    console.log(`      (${opened} hostile connections, ${calls} trusted calls, peak ${peakMb.toFixed(0)} MB resident)`);
    trusted.close();

    const log = daemon.stderr();
    expect(log, 'a rate-limited summary at warn').to.match(/"level":40[^\n]*closed \d+ connection\(s\)/);
  });
});
