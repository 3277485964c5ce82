// CLI cold start (npm run bench): every `multipass` command is a fresh Node process, so its
// start-up is most of what a user waits for. Each command is timed from spawn to exit, against
// a running daemon, next to `node -e 0`: the floor no Node CLI can go below.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MULTIPASS_BIN } from '../test/support/binaries.js';
import { cleanEnv, startDaemonProcess } from '../test/support/daemon-process.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { median } from './daemon-start-up.js';

const RUNS = 21;

export interface ColdStart {
  readonly command: string;
  readonly medianMs: number;
  /** The median over `node -e 0`'s. */
  readonly ratio: number;
}

const COMMANDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['node -e 0', ['-e', '0']],
  ['multipass help', [MULTIPASS_BIN, 'help']],
  ['multipass version', [MULTIPASS_BIN, 'version']],
  ['multipass list', [MULTIPASS_BIN, 'list']],
];

/** Milliseconds from spawn to exit; rejects unless the command succeeds. */
function timeRun(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const elapsed = performance.now() - start;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}


/** Medians of `runs` cold starts of each command, with their ratio to `node -e 0`'s. */
export async function measureCliColdStart(runs = RUNS): Promise<ColdStart[]> {
  const temp = makeTempDir('mpa-bench-cli-');
  const daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${temp.path}/sock`] });
  try {
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      HOME: join(temp.path, 'home'),
      MULTIPASS_SERVER_ADDRESS: daemon.address,
      MULTIPASS_ROOT_CERT: daemon.rootCertPath,
    };
    delete env.XDG_DATA_HOME;
    // The first run makes the client certificate and is trusted as the first client: a
    // one-time cost, not what every command pays.
    await timeRun([MULTIPASS_BIN, 'list'], env);
    const times = new Map<string, number[]>(COMMANDS.map(([command]) => [command, []]));
    // Round by round, so that a change in the machine's load weighs on every command alike.
    for (let round = 0; round < runs + 1; round += 1) {
      for (const [command, args] of COMMANDS) {
        const elapsed = await timeRun(args, env);
        if (round > 0) times.get(command)!.push(elapsed); // the first round warms the file cache
      }
    }
    const floor = median(times.get('node -e 0')!);
    return COMMANDS.map(([command]) => {
      const medianMs = median(times.get(command)!);
      return { command, medianMs, ratio: medianMs / floor };
    });
  } finally {
    await daemon.stop();
    temp.remove();
  }
}
