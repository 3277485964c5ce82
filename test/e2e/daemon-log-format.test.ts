import { expect } from 'chai';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPASSD_BIN } from '../support/binaries.js';
import { runDaemonCommand, startDaemonProcess, type DaemonProcess } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { hasTmux, TmuxTerminal } from '../support/tmux-terminal.js';

const HUMAN_LISTENING = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}multipassd is listening address=unix:\S+ store=pem trusted=0$/m;

/** log_format: JSON lines for journald and pipes, readable lines for a person; human by default on a terminal. */
describe("the daemon's log format", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  let terminal: TmuxTerminal | undefined;
  const dataDir = () => join(temp.path, 'data');
  const start = async (args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    (daemon = await startDaemonProcess({ dataDir: dataDir(), args: ['--address', `unix:${temp.path}/sock`, ...args], env }));
  const waitForStderr = async (pattern: RegExp) => {
    for (let i = 0; i < 100 && !pattern.test(daemon!.stderr()); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    return daemon!.stderr();
  };

  beforeEach(() => {
    temp = makeTempDir();
    chmodSync(temp.path, 0o755);
  });
  afterEach(async () => {
    terminal?.close();
    terminal = undefined;
    await daemon?.stop();
    daemon = undefined;
    temp.remove();
  });

  it('writes JSON lines when stderr is not a terminal (journald, a pipe)', async () => {
    await start();
    const lines = (await waitForStderr(/multipassd is listening/)).trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as { msg: string; level: number });
    expect(entries.map((entry) => entry.msg)).to.include('multipassd is listening');
  });

  it('writes one readable line per entry with --log-format human, fields as key=value', async () => {
    await start(['--log-format', 'human']);
    const text = await waitForStderr(/multipassd is listening/);
    expect(text).to.match(HUMAN_LISTENING);
    expect(text).to.match(/ INFO {2}creating the daemon root CA dir=\S+ reason=missing$/m);
    expect(text).not.to.match(/^\{/m);
  });

  it('takes log_format from the config file, and MULTIPASSD_LOG_FORMAT over it', async () => {
    mkdirSync(dataDir());
    writeFileSync(join(dataDir(), 'multipassd.yaml'), 'log_format: human\n');
    await start();
    expect(await waitForStderr(/multipassd is listening/)).to.match(HUMAN_LISTENING);
    await daemon!.stop();
    await start([], { MULTIPASSD_LOG_FORMAT: 'json' });
    expect(JSON.parse((await waitForStderr(/multipassd is listening/)).trim().split('\n')[0]!)).to.have.property('msg');
  });

  it('refuses an unknown format, naming the key, before starting', async () => {
    const result = await runDaemonCommand(['--data-dir', dataDir(), '--address', `unix:${temp.path}/sock`, '--log-format', 'xml']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(`multipassd: invalid value for 'log_format' in the command line: expected one of json, human, got "xml"\n`);
  });

  it('writes readable lines by default on a terminal', async function () {
    if (!hasTmux()) {
      console.log('      skipped: tmux is not installed (.ci/run installs it)');
      this.skip();
    }
    terminal = new TmuxTerminal(temp.path, `${process.execPath} ${MULTIPASSD_BIN} --data-dir ${dataDir()} --address unix:${temp.path}/sock`, {});
    const screen = await terminal.waitFor(/multipassd is listening/);
    expect(screen).to.match(/Z INFO {2}multipassd is listening address=unix:/);
    expect(screen).not.to.contain('{"level"');
  });
});
