import { expect } from 'chai';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { cleanEnv, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

/** What `multipassd` prints at start must not suggest other users can reach a socket they cannot. */
describe('the start banner', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;

  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  const start = async (socketDir: string) => {
    mkdirSync(socketDir, { mode: 0o755 });
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${join(socketDir, 'multipass_socket')}`] });
    return daemon.stdout();
  };

  it("says when only this user can reach the socket (a per-user daemon, like npm start's as root), and where to look", async () => {
    chmodSync(temp.path, 0o700);
    const banner = await start(join(temp.path, 'sockets'));

    expect(banner).to.contain(`Only this user can reach it (${temp.path} is closed to others)`);
    expect(banner).to.contain("'multipassd service install'");
    expect(banner).to.not.contain('others run');
  });

  it('tells how other users enrol when they can reach the socket', async () => {
    chmodSync(temp.path, 0o755);
    const banner = await start(join(temp.path, 'sockets'));

    expect(banner).to.match(/Nobody is trusted yet: the first client of root or a member of the group '[^']+' is\./);
    expect(banner).to.match(/^and each other user runs, once:\n {2}\S.*multipass(\.js)? authenticate$/m);
    expect(banner).to.not.contain('Only this user');
  });

  it('prints commands that work as pasted, from any directory', async () => {
    chmodSync(temp.path, 0o755);
    const banner = await start(join(temp.path, 'sockets'));
    const home = join(temp.path, 'home');
    mkdirSync(home);

    const list = pasted(banner, / list$/);
    expect(await paste(list, home)).to.include({ code: 0, stdout: 'No instances found.\n' });
  });

  it('on TCP promises no first-client trust, and its trust add line lets the client in', async () => {
    chmodSync(temp.path, 0o755);
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', 'localhost:0'] });
    const banner = daemon.stdout();
    const home = join(temp.path, 'home');
    mkdirSync(home);

    expect(banner).to.contain('Over TCP nobody is trusted on first use');
    expect(banner).not.to.match(/first client|Nobody is trusted yet/);
    const list = pasted(banner, / list$/);
    expect((await paste(list, home)).code, 'refused until trusted').to.equal(2);
    // As root the banner says sudo, which root does not need (and a test machine may lack).
    const trustAdd = pasted(banner, /trust add/).replace(/^sudo /, '');
    expect(trustAdd).to.contain(`--data-dir ${join(temp.path, 'data')}`);
    expect(await paste(trustAdd, home)).to.include({ code: 0 });
    expect(await paste(list, home)).to.include({ code: 0, stdout: 'No instances found.\n' });
  });
});

/** The banner's indented command line matching `pattern`, without its indent. */
function pasted(banner: string, pattern: RegExp): string {
  const line = banner.split('\n').find((candidate) => candidate.startsWith('  ') && pattern.test(candidate));
  if (line === undefined) throw new Error(`no command line matching ${pattern} in:\n${banner}`);
  return line.trim();
}

/** Runs a pasted line in a shell started in `home`, as a user's new terminal would be. */
function paste(line: string, home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOME: home };
    delete env.XDG_DATA_HOME;
    delete env.XDG_RUNTIME_DIR;
    const shell = spawn('sh', ['-c', line], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    shell.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
