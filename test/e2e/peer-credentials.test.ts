import { expect } from 'chai';
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliUser } from '../support/cli-process.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { cannotRunAsAnotherUser } from '../support/other-user.js';
import { makeTempDir } from '../support/temp-dir.js';

const NOBODY = 65534;
const NOT_AUTHENTICATED =
  "list failed: The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.\n";

/** The kernel says who connects: bootstrap trusts only root or the admin group, whatever the socket's mode. */
describe('bootstrap by peer credentials', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let socketPath: string;

  before(function () {
    const reason = cannotRunAsAnotherUser();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  beforeEach(() => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    socketPath = join(temp.path, 'multipass_socket');
  });

  afterEach(async () => {
    await daemon?.stop();
    temp.remove();
  });

  const start = async (socketGroup: string) => {
    daemon = await startDaemonProcess({
      dataDir: join(temp.path, 'data'),
      args: ['--address', `unix:${socketPath}`, '--socket-group', socketGroup],
    });
  };
  const user = (name: string, uid?: number): CliUser => {
    const home = join(temp.path, `home-${name}`);
    mkdirSync(home);
    if (uid !== undefined) chownSync(home, uid, uid);
    return { home, address: daemon.address, rootCertPath: daemon.rootCertPath, ...(uid === undefined ? {} : { uid, gid: uid }) };
  };
  const socketMode = () => statSync(socketPath).mode & 0o777;
  const trustedCount = async () => {
    const listed = await runDaemonCommand(['trust', 'list', '--data-dir', join(temp.path, 'data')]);
    return listed.stdout.split('\n').filter((line) => /^[0-9a-f]{64}\s/.test(line)).length;
  };

  it('refuses a user outside the admin group on an empty store even after the socket was opened by hand', async () => {
    await start('root');
    expect(socketMode()).to.equal(0o660);
    chmodSync(socketPath, 0o666);

    const result = await runCli(user('nobody', NOBODY), ['list']);

    expect(result).to.include({ code: 2, stderr: NOT_AUTHENTICATED });
    expect(await trustedCount()).to.equal(0);
    const refusal = daemon.stderr().split('\n').find((line) => line.includes('refused to bootstrap trust'));
    expect(refusal, 'logged with the peer the kernel reported').to.contain('"uid":65534').and.to.contain('"user":"nobody"');
  });

  it('trusts the first client of a user in the admin group', async () => {
    await start('nogroup');

    const result = await runCli(user('nobody', NOBODY), ['list']);

    expect(result).to.include({ code: 0, stdout: 'No instances found.\n', stderr: '' });
    expect(await trustedCount()).to.equal(1);
    expect(socketMode()).to.equal(0o666);
  });

  it('restricts the socket again once every certificate is removed, so an admin can bootstrap without a restart', async () => {
    await start('root');
    const admin = user('admin');
    expect((await runCli(admin, ['list'])).code).to.equal(0);
    expect(socketMode()).to.equal(0o666);
    const fingerprint = /^([0-9a-f]{64})/m.exec(
      (await runDaemonCommand(['trust', 'list', '--data-dir', join(temp.path, 'data')])).stdout,
    )?.[1];

    const removed = await runDaemonCommand(['trust', 'remove', fingerprint!, '--data-dir', join(temp.path, 'data')]);
    expect(removed.code, removed.stderr).to.equal(0);
    for (let waited = 0; socketMode() !== 0o660 && waited < 6000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    expect(socketMode(), 'restricted within the resync period').to.equal(0o660);
    chmodSync(socketPath, 0o666);
    expect((await runCli(user('nobody', NOBODY), ['list'])).code, 'a non-admin still cannot bootstrap').to.equal(2);
    const again = user('admin-again');
    expect(await runCli(again, ['list'])).to.include({ code: 0, stderr: '' });
    expect(await trustedCount()).to.equal(1);
    expect(readFileSync(join(again.home, '.local', 'share', 'multipass-client-certificate', 'multipass_cert.pem'), 'utf8')).to.contain(
      'BEGIN CERTIFICATE',
    );
  });
});
