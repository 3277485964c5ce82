import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPASS_BIN, MULTIPASSD_BIN } from '../support/binaries.js';
import { runCli, type CliUser } from '../support/cli-process.js';
import { cleanEnv, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { testCertificatePool } from '../support/test-certificates.js';

/**
 * Runs a built binary whose stdout is a pipe nobody reads any more, as in `... | head -1` once
 * head has exited: the read end is closed before the program writes anything.
 */
function runIntoClosedPipe(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** `multipassd trust list | head -1` and the like end quietly: no EPIPE stack trace, exit 0. */
describe('output into a pipe whose reader has gone', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  let user: CliUser;
  const dataDir = () => join(temp.path, 'data');

  before(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    // Enough trusted certificates that `trust list` writes many lines.
    mkdirSync(join(dataDir(), 'authenticated-certs'), { recursive: true });
    const pool = await testCertificatePool(200);
    writeFileSync(join(dataDir(), 'authenticated-certs', 'multipass_client_certs.pem'), pool.map((cert) => cert.pem).join(''));
  });
  after(async () => {
    await daemon?.stop();
    temp.remove();
  });

  for (const args of [['--help'], ['trust', 'list'], ['trust', 'list', '--format', 'json'], ['audit'], ['trust', 'lst']]) {
    it(`multipassd ${args.join(' ')}`, async () => {
      const result = await runIntoClosedPipe(MULTIPASSD_BIN, args[0] === '--help' ? args : [...args, '--data-dir', dataDir()], {});
      expect(result.stderr).not.to.contain('EPIPE');
      expect(result.stderr).not.to.contain('    at ');
      // A usage error is still one (on stderr, which is read): its code is kept.
      expect(result.code).to.equal(args[1] === 'lst' ? 2 : 0);
    });
  }

  it('the daemon itself keeps serving when nobody reads its banner', async () => {
    const child = spawn(process.execPath, [MULTIPASSD_BIN, '--data-dir', join(temp.path, 'data2'), '--address', `unix:${temp.path}/sock`], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      for (let i = 0; i < 200 && !stderr.includes('multipassd is listening'); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      const home = join(temp.path, 'home');
      mkdirSync(home, { recursive: true });
      user = { home, address: `unix:${temp.path}/sock`, rootCertPath: join(temp.path, 'data2', 'certificate', 'multipass_root_cert.pem') };
      expect(await runCli(user, ['list'])).to.include({ code: 0, stdout: 'No instances found.\n' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(0);
    expect(stderr).not.to.contain('EPIPE');
  });

  for (const args of [['help'], ['list', '--format', 'json'], ['version'], ['get', 'local.passphrase', '-vvvv']]) {
    it(`multipass ${args.join(' ')}`, async () => {
      daemon ??= await startDaemonProcess({ dataDir: join(temp.path, 'data3'), args: ['--address', `unix:${temp.path}/sock3`] });
      const home = join(temp.path, 'home3');
      mkdirSync(home, { recursive: true });
      const env = { HOME: home, MULTIPASS_SERVER_ADDRESS: daemon.address, MULTIPASS_ROOT_CERT: daemon.rootCertPath };
      const result = await runIntoClosedPipe(MULTIPASS_BIN, args, env);
      expect(result).to.deep.equal({ code: 0, stderr: args.includes('-vvvv') ? result.stderr : '' });
      expect(result.stderr).not.to.contain('EPIPE');
    });
  }
});
