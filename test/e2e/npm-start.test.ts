import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/binaries.js';
import { cleanEnv } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

/** The README's first Quick-start line, as a newcomer runs it (npm install has been done). */
describe('npm start', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let npm: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    temp = makeTempDir();
    env = { ...cleanEnv(), HOME: temp.path, XDG_DATA_HOME: join(temp.path, 'xdg') };
    delete env.XDG_RUNTIME_DIR;
  });

  afterEach(async () => {
    if (npm?.pid !== undefined && npm.exitCode === null) {
      const exited = new Promise((resolve) => npm!.once('exit', resolve));
      process.kill(-npm.pid, 'SIGTERM');
      await exited;
      // npm may exit before the daemon it started has finished stopping (it writes last-seen
      // times as it stops): wait for the whole group, or removing the temp dir races it.
      await groupGone(npm.pid);
    }
    temp.remove();
  });

  it("starts the daemon in this user's directories and prints a CLI line that works as printed", async () => {
    npm = spawn('npm', ['start', '--silent'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const example = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no CLI line:\n${out}`)), 60000);
      npm!.stdout!.on('data', () => {
        const match = /^ {2}(.*multipass\.js list)$/m.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });

    const dataDir = join(temp.path, 'xdg', 'multipassd');
    const socket = join(dataDir, 'multipass_socket');
    expect(out).to.contain(`is listening on unix:${socket}`);
    expect(existsSync(join(dataDir, 'certificate', 'multipass_root_cert.pem'))).to.equal(true);
    expect(statSync(socket).isSocket()).to.equal(true);

    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const cli = spawn('sh', ['-c', example], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      cli.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result, example).to.include({ code: 0, stdout: 'No instances found.\n' });
  });
});

async function groupGone(pgid: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
