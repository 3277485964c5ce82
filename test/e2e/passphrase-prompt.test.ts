import { expect } from 'chai';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPASS_BIN } from '../support/binaries.js';
import { runCli, type CliUser } from '../support/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { hasTmux, TmuxTerminal } from '../support/tmux-terminal.js';

describe('passphrase prompts in a real terminal', function () {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess;
  let terminal: TmuxTerminal | undefined;

  before(function () {
    if (!hasTmux()) {
      console.log('      skipped: tmux is not installed (.ci/run installs it)');
      this.skip();
    }
  });

  const user = (name: string): CliUser => {
    const home = join(temp.path, `home-${name}`);
    mkdirSync(home, { recursive: true });
    return { home, address: daemon.address, rootCertPath: daemon.rootCertPath };
  };
  const openTerminal = (who: CliUser, args: string) =>
    new TmuxTerminal(temp.path, `${process.execPath} ${MULTIPASS_BIN} ${args}`, {
      HOME: who.home,
      MULTIPASS_SERVER_ADDRESS: who.address,
      MULTIPASS_ROOT_CERT: who.rootCertPath,
    });

  beforeEach(async () => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
    daemon = await startDaemonProcess({ dataDir: join(temp.path, 'data'), args: ['--address', `unix:${temp.path}/sock`] });
  });

  afterEach(async () => {
    terminal?.close();
    terminal = undefined;
    await daemon.stop();
    temp.remove();
  });

  it('sets the passphrase from two hidden prompts, and the typed text never shows', async () => {
    const admin = user('admin');
    terminal = openTerminal(admin, 'set local.passphrase');
    await terminal.waitFor(/Please enter passphrase:\s*$/m);
    terminal.type('hunter2-secret');
    terminal.enter();
    await terminal.waitFor(/Please re-enter passphrase:\s*$/m);
    terminal.type('hunter2-secret');
    terminal.enter();
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    expect(screen).to.contain('[exit 0]');
    expect(screen).not.to.contain('hunter2');

    const alice = user('alice');
    expect(await runCli(alice, ['authenticate', 'hunter2-secret'])).to.include({ code: 0 });
  });

  it('reports mismatched passphrases and sets nothing', async () => {
    const admin = user('admin');
    terminal = openTerminal(admin, 'set local.passphrase');
    await terminal.waitFor(/Please enter passphrase:\s*$/m);
    terminal.type('first-one');
    terminal.enter();
    await terminal.waitFor(/Please re-enter passphrase:\s*$/m);
    terminal.type('second-one');
    terminal.enter();
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    expect(screen).to.contain('Passphrases do not match');
    expect(screen).not.to.match(/\[exit 0\]/);
    expect(screen).not.to.contain('first-one');
    expect(screen).not.to.contain('second-one');
    expect(await runCli(admin, ['get', 'local.passphrase'])).to.include({ stdout: 'false\n' });
  });

  it('authenticates from a hidden prompt without echoing the passphrase', async () => {
    const admin = user('admin');
    await runCli(admin, ['set', 'local.passphrase=open-sesame']);
    terminal = openTerminal(user('bob'), 'authenticate');
    await terminal.waitFor(/Please enter passphrase:\s*$/m);
    terminal.type('open-sesame');
    terminal.enter();
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    expect(screen).to.contain('[exit 0]');
    expect(screen).not.to.contain('open-sesame');
  });

  it('refuses an empty answer at the authenticate prompt', async () => {
    await runCli(user('admin'), ['list']);
    terminal = openTerminal(user('carol'), 'authenticate');
    await terminal.waitFor(/Please enter passphrase:\s*$/m);
    terminal.enter();
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    expect(screen).to.contain('No passphrase given');
    expect(screen).to.contain('[exit 1]');
  });

  describe('Ctrl-C at a prompt', () => {
    const PROMPT = 'Please enter passphrase: ';
    const REPEAT_PROMPT = 'Please re-enter passphrase: ';

    /** Presses Ctrl-C, then checks the exit code and that nothing at all was printed after the prompt. */
    const interrupt = async (open: TmuxTerminal, prompt: string) => {
      open.press('C-c');
      const screen = await open.waitFor(/\[exit \d+\]/);
      // tmux drops the blanks at the end of a line, the prompt's own trailing space included.
      const shown = prompt.trimEnd();
      expect(screen).to.contain(shown);
      const afterPrompt = screen.slice(screen.lastIndexOf(shown) + shown.length);
      expect(afterPrompt.trim(), `the screen:\n${screen}`).to.match(/^\[exit \d+\]$/);
      expect(afterPrompt.trim()).to.equal('[exit 130]');
    };

    it('exits 130 with no message when Ctrl-C is pressed at the authenticate prompt', async () => {
      await runCli(user('admin'), ['set', 'local.passphrase=open-sesame']);
      const dave = user('dave');
      terminal = openTerminal(dave, 'authenticate');
      await terminal.waitFor(/Please enter passphrase:\s*$/m);
      terminal.type('open-ses');
      await interrupt(terminal, PROMPT);
      expect(await runCli(dave, ['list']), 'not authenticated').to.include({ code: 2 });
    });

    it('exits 130 with no message when Ctrl-C is pressed at the first set prompt, and sets nothing', async () => {
      const admin = user('admin');
      terminal = openTerminal(admin, 'set local.passphrase');
      await terminal.waitFor(/Please enter passphrase:\s*$/m);
      await interrupt(terminal, PROMPT);
      expect(await runCli(admin, ['get', 'local.passphrase'])).to.include({ stdout: 'false\n' });
    });

    it('exits 130 with no message when Ctrl-C is pressed at the re-enter prompt, and sets nothing', async () => {
      const admin = user('admin');
      terminal = openTerminal(admin, 'set local.passphrase');
      await terminal.waitFor(/Please enter passphrase:\s*$/m);
      terminal.type('half-set');
      terminal.enter();
      await terminal.waitFor(/Please re-enter passphrase:\s*$/m);
      terminal.type('half');
      await interrupt(terminal, REPEAT_PROMPT);
      expect(await runCli(admin, ['get', 'local.passphrase'])).to.include({ stdout: 'false\n' });
    });
  });
});
