import { expect } from 'chai';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

/** Copying a store the daemon is changing can miss a change: migrate-store says so, and still copies. */
describe('multipassd migrate-store beside a running daemon', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  const dataDir = () => join(temp.path, 'data');

  beforeEach(() => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
  });
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  it('warns, naming the daemon and what to do, while one runs with this data directory', async () => {
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`] });
    const result = await runDaemonCommand(['migrate-store', '--to', 'sqlite', '--data-dir', dataDir()]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.contain(
      `multipassd: warning: multipassd (pid ${daemon.child.pid}) is running with the data directory '${dataDir()}': ` +
        'a client trusted or removed during the copy may be missed. Stop it first',
    );
    expect(result.stdout).to.contain('the copy is verified');
  });

  it('says nothing of the kind once it has stopped', async () => {
    daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`] });
    await daemon.stop();
    const result = await runDaemonCommand(['migrate-store', '--to', 'sqlite', '--data-dir', dataDir()]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).not.to.contain('warning');
  });
});
