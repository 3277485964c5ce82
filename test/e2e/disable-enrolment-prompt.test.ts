import { expect } from 'chai';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPASS_BIN } from '../support/binaries.js';
import { runCli, type CliUser } from '../support/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { hasTmux, TmuxTerminal } from '../support/tmux-terminal.js';

const QUESTION = /^Continue\? \[y\/N\]\s*$/m;

/** An empty passphrase turns enrolment off: a person at a terminal confirms it; a script is not asked. */
describe('clearing the passphrase', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let admin: CliUser;
  let terminal: TmuxTerminal | undefined;

  const passphraseSet = async () => (await runCli(admin, ['get', 'local.passphrase'])).stdout;
  const openTerminal = (args: string) =>
    new TmuxTerminal(temp.path, `${process.execPath} ${MULTIPASS_BIN} ${args}`, {
      HOME: admin.home,
      MULTIPASS_SERVER_ADDRESS: admin.address,
      MULTIPASS_ROOT_CERT: admin.rootCertPath,
    });

  beforeEach(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${temp.path}/sock`] });
    const home = join(temp.path, 'home-admin');
    mkdirSync(home);
    admin = { home, address: daemon.address, rootCertPath: daemon.rootCertPath };
    expect((await runCli(admin, ['set', 'local.passphrase=hunter2'])).code, 'the first client is trusted and sets it').to.equal(0);
    expect(await passphraseSet()).to.equal('true\n');
  });
  afterEach(async () => {
    terminal?.close();
    terminal = undefined;
    await daemon.stop();
    temp.remove();
  });

  it('proceeds without asking when not run from a terminal', async () => {
    expect(await runCli(admin, ['set', 'local.passphrase='])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(await passphraseSet()).to.equal('false\n');
  });

  describe('in a terminal', function () {
    before(function () {
      if (!hasTmux()) {
        console.log('      skipped: tmux is not installed (.ci/run installs it)');
        this.skip();
      }
    });

    it('asks first, and an answer other than yes changes nothing', async () => {
      terminal = openTerminal('set local.passphrase=');
      const question = await terminal.waitFor(QUESTION);
      expect(question).to.contain('An empty passphrase turns enrolment off');
      terminal.type('n');
      terminal.enter();
      const screen = await terminal.waitFor(/\[exit \d+\]/);
      expect(screen).to.contain('The passphrase is unchanged.');
      expect(screen).to.contain('[exit 2]');
      expect(await passphraseSet()).to.equal('true\n');
    });

    it('clears it when the answer is yes', async () => {
      terminal = openTerminal('set local.passphrase=');
      await terminal.waitFor(QUESTION);
      terminal.type('y');
      terminal.enter();
      expect(await terminal.waitFor(/\[exit \d+\]/)).to.contain('[exit 0]');
      expect(await passphraseSet()).to.equal('false\n');
    });

    it('asks too when both hidden prompts are answered with nothing', async () => {
      terminal = openTerminal('set local.passphrase');
      await terminal.waitFor(/Please enter passphrase:\s*$/m);
      terminal.enter();
      await terminal.waitFor(/Please re-enter passphrase:\s*$/m);
      terminal.enter();
      await terminal.waitFor(QUESTION);
      terminal.type('no');
      terminal.enter();
      expect(await terminal.waitFor(/\[exit \d+\]/)).to.contain('[exit 2]');
      expect(await passphraseSet()).to.equal('true\n');
    });
  });
});
