import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { accountEntry } from '../../src/adapters/system/getent.js';
import { MULTIPASS_BIN, REPO_ROOT } from '../support/binaries.js';
import { cleanEnv } from '../support/daemon-process.js';
import { bindNotifySocket, type NotifySocket } from '../support/notify-socket.js';
import { makeTempDir } from '../support/temp-dir.js';

const run = promisify(execFile);

const ADMIN_GROUP = 'nogroup';
// Made-up uids: the kernel needs no /etc/passwd entry to run a process as them.
const ADMIN_UID = 40121;
const SECOND_UID = 40122;
const THIRD_UID = 40123;
const PASSPHRASE = 'correct horse battery staple';
const NOT_AUTHENTICATED =
  "list failed: The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.\n";

/** Why this cannot run here, or undefined: it needs Linux, root, npm, the admin group and a checkout other users can read. */
async function cannotRun(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'the system service is tested on Linux';
  if (process.getuid?.() !== 0) return 'running the daemon as root and CLIs as other users needs root';
  for (let dir = dirname(MULTIPASS_BIN); dir !== '/'; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return `other users cannot reach the checkout (${dir} is not searchable)`;
  }
  if ((statSync(MULTIPASS_BIN).mode & 0o004) === 0) return `other users cannot read ${MULTIPASS_BIN}`;
  if ((await accountEntry('group', ADMIN_GROUP)) === undefined) return `there is no '${ADMIN_GROUP}' group to be the admin group`;
  try {
    await run('npm', ['--version']);
  } catch {
    return 'npm is not on the PATH';
  }
  return undefined;
}

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * What an admin does (README, "Running as a system service"), with root-owned temp dirs
 * standing in for /var/lib/multipassd, /run and /etc: install globally, `multipassd service
 * install`, start what the unit's ExecStart says, as systemd would (NOTIFY_SOCKET, SIGTERM).
 * Then real users, each its own uid and HOME, use the installed `multipass`.
 */
describe('multipassd as a system service, used by real users', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let bin: string;
  let dataDir: string;
  let socket: string;
  let notify: NotifySocket;
  let daemon: ChildProcess | undefined;
  let exited: Promise<number | string>;
  let daemonOutput = '';
  let adminGid: number;

  before(async function () {
    const reason = await cannotRun();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    adminGid = Number((await accountEntry('group', ADMIN_GROUP))![2]);
    temp = makeTempDir('mps-');
    chmodSync(temp.path, 0o755);
    // The fast global install: a folder is linked, not copied (the packed tarball would rebuild better-sqlite3).
    const prefix = join(temp.path, 'usr-local');
    // npm's cache and logs go to the temp dir too: tests never write to $HOME.
    const npmEnv = { ...cleanEnv(), HOME: join(temp.path, 'npm-home'), npm_config_cache: join(temp.path, 'npm-cache'), npm_config_update_notifier: 'false' };
    await run('npm', ['install', '--global', '--offline', '--prefix', prefix, '--no-audit', '--no-fund', REPO_ROOT], { env: npmEnv, timeout: 60_000 });
    bin = join(prefix, 'bin');
    dataDir = join(temp.path, 'var', 'lib', 'multipassd');
    socket = join(temp.path, 'run', 'multipass_socket');
    for (const dir of [dataDir, dirname(socket), join(temp.path, 'home')]) mkdirSync(dir, { recursive: true, mode: 0o755 });
    notify = bindNotifySocket(join(temp.path, 'notify'));
  });

  after(async () => {
    if (daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGKILL');
      await exited;
    }
    notify?.close();
    temp?.remove();
  });

  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    const base = cleanEnv();
    for (const key of ['XDG_DATA_HOME', 'XDG_RUNTIME_DIR', 'NOTIFY_SOCKET']) delete base[key];
    return { ...base, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, ...extra };
  };
  const multipassd = async (args: readonly string[]): Promise<Outcome> => outcome(run(join(bin, 'multipassd'), args, { env: env({}) }));

  /** A user with its own uid, gid and HOME, running the installed `multipass` as a user would. */
  const user = (name: string, uid: number, gid: number) => {
    const home = join(temp.path, 'home', name);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, uid, gid);
    return (args: readonly string[]): Promise<Outcome> =>
      outcome(
        run(join(bin, 'multipass'), args, {
          uid,
          gid,
          cwd: home,
          timeout: 20_000,
          // Stand-ins for /run/multipass_socket and /var/lib/multipassd: the CLI must be told.
          env: env({ HOME: home, MULTIPASS_SERVER_ADDRESS: `unix:${socket}`, MULTIPASS_ROOT_CERT: join(dataDir, 'certificate', 'multipass_root_cert.pem') }),
        }),
      );
  };
  let admin: ReturnType<typeof user>;
  let second: ReturnType<typeof user>;

  it('installs a systemd unit whose ExecStart runs the globally installed multipassd', async () => {
    const etc = join(temp.path, 'root');
    const installed = await multipassd(['service', 'install', '--root', etc]);
    expect(installed.code, installed.stderr).to.equal(0);

    const unit = readFileSync(join(etc, 'etc', 'systemd', 'system', 'multipassd.service'), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
    expect(execStart).to.deep.equal([process.execPath, join(bin, 'multipassd')]);

    // As systemd starts it, plus the flags that point it at the stand-ins for the system locations.
    daemon = spawn(execStart[0]!, [...execStart.slice(1), '--data-dir', dataDir, '--address', `unix:${socket}`, '--socket-group', ADMIN_GROUP], {
      env: env({ NOTIFY_SOCKET: notify.name }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    daemon.stdout!.on('data', (chunk: Buffer) => (daemonOutput += chunk.toString()));
    daemon.stderr!.on('data', (chunk: Buffer) => (daemonOutput += chunk.toString()));
    exited = new Promise((resolve) => daemon!.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  });

  it('tells systemd it is ready (READY=1) once its socket listens, restricted to root and the admin group', async () => {
    const ready = await notify.waitFor('READY=1').catch((error: Error) => Promise.reject(new Error(`${error.message}\n${daemonOutput}`)));

    expect(ready).to.equal(`READY=1\nSTATUS=listening on unix:${socket}`);
    const stats = statSync(socket);
    expect(stats.isSocket()).to.equal(true);
    expect({ mode: stats.mode & 0o777, uid: stats.uid, gid: stats.gid }).to.deep.equal({ mode: 0o660, uid: 0, gid: adminGid });
  });

  it('trusts the first user of the admin group without a passphrase, and opens the socket to everyone', async () => {
    admin = user('admin', ADMIN_UID, adminGid);

    expect(await admin(['list'])).to.deep.equal({ code: 0, stdout: 'No instances found.\n', stderr: '' });
    expect(statSync(socket).mode & 0o777).to.equal(0o666);
  });

  it('refuses a second user, who then enrols with the passphrase the first user set', async () => {
    second = user('second', SECOND_UID, SECOND_UID);
    expect(await second(['list'])).to.deep.equal({ code: 2, stdout: '', stderr: NOT_AUTHENTICATED });

    expect(await admin(['set', `local.passphrase=${PASSPHRASE}`])).to.include({ code: 0, stderr: '' });
    expect(await second(['authenticate', PASSPHRASE])).to.deep.equal({ code: 0, stdout: '', stderr: '' });

    expect(await second(['list'])).to.deep.equal({ code: 0, stdout: 'No instances found.\n', stderr: '' });
  });

  it('lets a third user enrol with a one-time token from the admin', async () => {
    const third = user('third', THIRD_UID, THIRD_UID);
    expect((await third(['list'])).code).to.equal(2);
    const issued = await multipassd(['trust', 'token', '--data-dir', dataDir]);
    expect(issued.code, issued.stderr).to.equal(0);
    const token = /\bmpt-[a-z2-7]{32}\b/.exec(issued.stdout)?.[0];
    expect(token, issued.stdout).to.be.a('string');

    expect(await third(['authenticate', token!])).to.include({ code: 0, stderr: '' });

    expect(await third(['list'])).to.deep.equal({ code: 0, stdout: 'No instances found.\n', stderr: '' });
  });

  it('stops on SIGTERM: STOPPING=1, its socket removed, exit code 0', async () => {
    daemon!.kill('SIGTERM');

    expect(await exited, daemonOutput).to.equal(0);
    expect(await notify.waitFor('STOPPING=1')).to.equal('STOPPING=1\nSTATUS=stopping');
    expect(notify.messages().map((message) => message.split('\n')[0])).to.deep.equal(['READY=1', 'STOPPING=1']);
    expect(existsSync(socket)).to.equal(false);
  });
});

async function outcome(running: Promise<{ stdout: string; stderr: string }>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
