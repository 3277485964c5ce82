import { expect } from 'chai';
import { join } from 'node:path';
import { runDaemonCommand } from '../support/daemon-process.js';
import { makeTempDir } from '../support/temp-dir.js';

/** Command lines multipassd cannot use: one line saying what is wrong and where the help is, exit 2, never clipanion's raw text. */
describe('multipassd usage errors', () => {
  let temp: ReturnType<typeof makeTempDir>;
  before(() => (temp = makeTempDir()));
  after(() => temp.remove());

  const cases: [string[], string][] = [
    [['trust', 'lst'], "multipassd: unknown command 'trust lst'; did you mean 'trust list'?\nTry 'multipassd --help'.\n"],
    [['trust'], "multipassd: 'trust' needs a subcommand: add, list, show, remove, label, token\nTry 'multipassd --help'.\n"],
    [['frobnicate'], "multipassd: unknown command 'frobnicate'\nTry 'multipassd --help'.\n"],
    [['--bogus'], "multipassd: unknown option '--bogus'\nTry 'multipassd --help'.\n"],
    [['trust', 'list', '--bogus'], "multipassd trust list: unknown option '--bogus'\nTry 'multipassd trust list --help'.\n"],
    [['trust', 'list', '--format'], "multipassd trust list: option --format needs a value\nTry 'multipassd trust list --help'.\n"],
    [
      ['trust', 'list', '--format', 'xml'],
      'multipassd trust list: invalid value for --format: expected one of "text" or "json" (got "xml")\nTry \'multipassd trust list --help\'.\n',
    ],
    [['trust', 'add'], "multipassd trust add: missing argument: <cert.pem>\nTry 'multipassd trust add --help'.\n"],
    [['trust', 'remove', 'a', 'b'], "multipassd trust remove: unexpected argument 'b'\nTry 'multipassd trust remove --help'.\n"],
    [['migrate-store'], "multipassd migrate-store: missing option --to\nTry 'multipassd migrate-store --help'.\n"],
  ];

  for (const [argv, message] of cases) {
    it(`'multipassd ${argv.join(' ')}' says what is wrong on stderr, exit 2`, async () => {
      const result = await runDaemonCommand([...argv, '--data-dir', join(temp.path, 'data')]);
      expect(result).to.deep.equal({ code: 2, stdout: '', stderr: message });
    });
  }

  it("still shows the help, naming option values VALUE rather than clipanion's #0, and the version", async () => {
    const help = await runDaemonCommand(['trust', 'list', '--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain('List the trusted client certificates');
    expect(help.stdout).to.match(/^ {2}--data-dir VALUE {4}Where multipassd keeps its state$/m);
    expect(help.stdout).to.match(/^ {2}--per-user {10}Use this user's/m);
    const asMultipassDoes = await runDaemonCommand(['help', 'trust', 'list']);
    expect(asMultipassDoes).to.deep.include({ code: 0, stdout: help.stdout });
    const general = await runDaemonCommand(['--help']);
    expect(general.stdout).to.contain('multipassd trust list [--data-dir VALUE]');
    expect(general.stdout).not.to.contain('#0');
    expect((await runDaemonCommand(['--version'])).stdout).to.match(/^\d+\.\d+\.\d+/);
  });
});
