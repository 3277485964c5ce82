import { expect } from 'chai';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
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

    expect(banner).to.match(/others run '[^']*multipass(\.js)? authenticate' with the passphrase/);
    expect(banner).to.not.contain('Only this user');
  });
});
