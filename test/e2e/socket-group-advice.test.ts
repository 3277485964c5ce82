import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { cannotRunAsAnotherUser } from '../support/other-user.js';
import { makeTempDir } from '../support/temp-dir.js';

const NOBODY = 65534;
const nameOf = (database: 'passwd' | 'group', id: number): string => execFileSync('getent', [database, String(id)], { encoding: 'utf8' }).split(':')[0]!;

/** A user the restricted socket refuses is told which group would let them in, from the socket's own stat. */
describe('a socket permission error', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;

  before(function () {
    const reason = cannotRunAsAnotherUser();
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });
  beforeEach(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${temp.path}/sock`] });
  });
  afterEach(async () => {
    await daemon.stop();
    temp.remove();
  });

  it('names the group to join and the command that adds this user to it, for a root socket of mode 0660', async () => {
    const socket = statSync(join(temp.path, 'sock'));
    expect(socket.uid).to.equal(0);
    const home = join(temp.path, 'home-nobody');
    mkdirSync(home);
    chownSync(home, NOBODY, NOBODY);

    const result = await runCli({ home, address: daemon.address, rootCertPath: daemon.rootCertPath, uid: NOBODY, gid: NOBODY }, ['list']);

    expect(result.code).to.equal(3);
    const group = nameOf('group', socket.gid);
    const head = `list failed: multipass socket access denied\nPlease check that you have read/write permissions to '${temp.path}/sock'\n`;
    if ((socket.mode & 0o060) === 0o060) {
      expect(result.stderr).to.equal(
        `${head}The socket is mode 0660, owner root, group '${group}': to use it, join that group (until a first client is trusted, only its members can connect):\n` +
          `  sudo usermod -aG ${group} ${nameOf('passwd', NOBODY)}\n` +
          `then log in again (or run 'newgrp ${group}').\n`,
      );
    } else {
      // No admin group on this machine: the daemon keeps its socket to root alone.
      expect(result.stderr).to.equal(`${head}The socket is mode 0600, owner root, group '${group}': only root can use it. Please ask an administrator.\n`);
    }
    expect(result.stderr).not.to.contain('EACCES');
  });
});
