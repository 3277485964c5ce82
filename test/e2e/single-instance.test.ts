import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPASSD_BIN } from '../support/binaries.js';
import { cleanEnv, runDaemonCommand, startDaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { makeTestCertificate } from '../support/test-certificates.js';

interface Launch {
  readonly child: ChildProcess;
  /** 'listening', or how it ended before listening. */
  readonly outcome: Promise<'listening' | { code: number | null; stderr: string }>;
  stop(): Promise<void>;
}

/** Starts `multipassd` without waiting for it: two of these in a row start at the same instant. */
function launch(dataDir: string, socket: string): Launch {
  const child = spawn(process.execPath, [MULTIPASSD_BIN, '--data-dir', dataDir, '--address', `unix:${socket}`], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const outcome = new Promise<'listening' | { code: number | null; stderr: string }>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('is listening on')) resolve('listening');
    });
    void exited.then((code) => resolve({ code, stderr: err }));
  });
  return {
    child,
    outcome,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('one multipassd per socket and per data dir', () => {
  let temp: ReturnType<typeof makeTempDir>;

  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  const layouts = {
    'the same socket and different data dirs': (round: number) => ({
      first: { dataDir: join(temp.path, `a${round}`), socket: join(temp.path, `s${round}`) },
      second: { dataDir: join(temp.path, `b${round}`), socket: join(temp.path, `s${round}`) },
      message: /another multipassd is already listening on '[^']+' \(pid (\d+) holds '[^']+\.lock'\)/,
    }),
    'the same data dir and different sockets': (round: number) => ({
      first: { dataDir: join(temp.path, `a${round}`), socket: join(temp.path, `s${round}`) },
      second: { dataDir: join(temp.path, `a${round}`), socket: join(temp.path, `t${round}`) },
      message: /another multipassd is already running with the data directory '[^']+' \(pid (\d+) holds '[^']+multipassd\.lock'\)/,
    }),
  };

  for (const [what, layout] of Object.entries(layouts)) {
    it(`runs exactly one of two daemons started at the same instant with ${what}; the other exits 1 naming the holder, having written nothing`, async function () {
      this.timeout(60_000);
      for (let round = 0; round < 3; round += 1) {
        const { first, second, message } = layout(round);
        const launches = [launch(first.dataDir, first.socket), launch(second.dataDir, second.socket)];
        try {
          const outcomes = await Promise.all(launches.map((started) => started.outcome));
          const winners = outcomes.flatMap((outcome, i) => (outcome === 'listening' ? [i] : []));
          expect(winners, `round ${round}: ${JSON.stringify(outcomes)}`).to.have.length(1);
          const winner = winners[0]!;
          const loser = outcomes[1 - winner] as { code: number | null; stderr: string };
          expect(loser.code, loser.stderr).to.equal(1);
          const match = message.exec(loser.stderr);
          expect(match, loser.stderr).to.not.equal(null);
          expect(Number(match![1]), 'the pid named is the running daemon').to.equal(launches[winner]!.child.pid);
          expect(loser.stderr.split('\n').filter((line) => line !== ''), 'one line, no stack').to.have.length(1);
          const loserDir = [first, second][1 - winner]!.dataDir;
          if (loserDir !== [first, second][winner]!.dataDir) {
            const written = existsSync(loserDir) ? readdirSync(loserDir) : [];
            expect(written, 'nothing written in the losing data dir').to.deep.equal([]);
          }
          expect(existsSync([first, second][winner]!.socket), 'the winner still has its socket').to.equal(true);
        } finally {
          await Promise.all(launches.map((started) => started.stop()));
        }
      }
    });
  }

  it('starts again at once after the daemon holding the locks was killed: the kernel released them', async () => {
    const args = ['--address', `unix:${join(temp.path, 'sock')}`];
    const killed = await startDaemonProcess({ dataDir: temp.path, args });
    await killed.stop('SIGKILL');
    const again = await startDaemonProcess({ dataDir: temp.path, args });
    expect(await again.stop()).to.equal(0);
  });

  it('lets offline admin commands use the data dir while the daemon runs', async () => {
    const daemon = await startDaemonProcess({ dataDir: temp.path, args: ['--address', `unix:${join(temp.path, 'sock')}`] });
    try {
      const cert = await makeTestCertificate('offline');
      const file = join(temp.path, 'client.pem');
      writeFileSync(file, cert.pem);
      const added = await runDaemonCommand(['trust', 'add', file, '--data-dir', temp.path]);
      expect(added.code, added.stderr).to.equal(0);
      const listed = await runDaemonCommand(['trust', 'list', '--data-dir', temp.path]);
      expect(listed.stdout).to.contain(cert.fingerprint);
    } finally {
      await daemon.stop();
    }
  });
});
