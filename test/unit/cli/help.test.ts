import { expect } from 'chai';
import { COMMANDS } from '../../../src/app/cli.js';
import { CliHarness } from './cli-harness.js';

const AUTHENTICATE_HELP = `Usage: multipass authenticate [options] [<passphrase>]
Authenticate with the Multipass service.
A system administrator should provide you with a passphrase
to allow use of the Multipass service.

Options:
  -h, --help     Displays help on commandline options
  -v, --verbose  Increase logging verbosity. Repeat the 'v' in the short option
                 for more detail. Maximum verbosity is obtained with 4 (or more)
                 v's, i.e. -vvvv.

Arguments:
  passphrase     Passphrase to register with the Multipass service. If omitted,
                 a prompt will be displayed for entering the passphrase.
`;

const LIST_HELP = `Usage: multipass list [options]
List all instances or snapshots which have been created.

Options:
  -h, --help         Displays help on commandline options
  -v, --verbose      Increase logging verbosity. Repeat the 'v' in the short
                     option for more detail. Maximum verbosity is obtained with
                     4 (or more) v's, i.e. -vvvv.
  --snapshots        List all available snapshots
  --format <format>  Output list in the requested format.
                     Valid formats are: table (default), json, csv and yaml
`;

const GET_HELP = `Usage: multipass get [options] [<arg> ...]
Get the configuration setting(s) corresponding to the given key(s), or all settings if no key is specified.

Some common settings keys are:
  - local.passphrase

Use \`multipass get --keys\` to obtain the full list of available settings at any given time.

Options:
  -h, --help     Displays help on commandline options
  -v, --verbose  Increase logging verbosity. Repeat the 'v' in the short option
                 for more detail. Maximum verbosity is obtained with 4 (or more)
                 v's, i.e. -vvvv.
  --raw          Output in raw format. For now, this affects only the
                 representation of empty values (i.e. "" instead of "<empty>").
  --keys         List available settings keys. This outputs the whole list of
                 currently available settings keys, or a matching subset when
                 <arg>... is(are) provided

Arguments:
  arg            Setting(s) key(s), i.e. path(s) to the setting(s) whose
                 configured value(s) should be obtained.
`;

const GENERAL_HELP_START = `Usage: multipass [options] <command>
Create, control and connect to Ubuntu instances.

This is a command line utility for multipass, a
service that manages Ubuntu instances.

Options:
  -h, --help     Displays help on commandline options
`;

/** Marks of clipanion's own help and error output, which must never reach the user. */
const CLIPANION_MARKS = [/\$ multipass/, /━━━/, /\[-v,--verbose/, /Command not found/, /Unsupported option name/];

describe('multipass help', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  for (const argv of [['help', 'authenticate'], ['authenticate', '--help'], ['auth', '-h'], ['help', 'auth'], ['-h', 'authenticate']]) {
    it(`prints Multipass's authenticate help for '${argv.join(' ')}'`, async () => {
      expect(await cli.run(...argv)).to.deep.equal({ code: 0, stdout: AUTHENTICATE_HELP, stderr: '' });
    });
  }

  it("shows list's own options as Multipass's help does, without the hidden --no-ipv4", async () => {
    expect(await cli.run('help', 'list')).to.deep.equal({ code: 0, stdout: LIST_HELP, stderr: '' });
  });

  it("shows get's --raw and --keys options and its argument as Multipass's help does", async () => {
    expect((await cli.run('get', '--help')).stdout).to.equal(GET_HELP);
  });

  it("shows version's --format option as Multipass's help does", async () => {
    expect((await cli.run('help', 'version')).stdout).to.contain(
      '  --format <format>  Output version information in the requested format.\n' +
        '                     Valid formats are: table (default), json, csv and yaml\n',
    );
  });

  it('shows help instead of running the command, even with its arguments', async () => {
    expect((await cli.run('set', 'local.passphrase=foo', '--help')).stdout).to.match(/^Usage: multipass set \[options\] <key>\[=<value>\]\n/);
    expect(cli.connections).to.deep.equal([]);
    expect(cli.client.calls).to.deep.equal([]);
  });

  for (const argv of [['help'], ['--help'], ['-h'], ['help', '-v']]) {
    it(`lists the commands and their aliases for '${argv.join(' ')}'`, async () => {
      const result = await cli.run(...argv);
      expect(result).to.include({ code: 0, stderr: '' });
      expect(result.stdout.startsWith(GENERAL_HELP_START)).to.equal(true);
      expect(result.stdout).to.contain(
        [
          'Available commands:',
          '  authenticate, auth  Authenticate client',
          '  doctor              Diagnose problems reaching the service',
          '  get                 Get a configuration setting',
          '  help                Display help about a command',
          '  list, ls            List all available instances or snapshots',
          '  set                 Set a configuration setting',
          '  version             Show version details',
          '  whoami              Show whether this client is trusted',
          '',
        ].join('\n'),
      );
    });
  }

  it('shows the general help with no command at all, and fails as Multipass does', async () => {
    const result = await cli.run();
    expect(result).to.include({ code: 2, stderr: '' });
    expect(result.stdout.startsWith(GENERAL_HELP_START)).to.equal(true);
  });

  for (const command of COMMANDS) {
    const name = command.paths[0]?.[0] ?? '';
    it(`gives '${name}' a Multipass-style help page with its description`, async () => {
      const result = await cli.run('help', name);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.match(new RegExp(`^Usage: multipass ${name} \\[options\\]`));
      expect(result.stdout).to.contain(`${command.usage.details}\n\nOptions:\n  -h, --help `);
      // Qt prints the description as it is; it wraps only option and argument entries.
      const entries = result.stdout.slice(result.stdout.indexOf('\nOptions:\n'));
      expect(entries.split('\n').every((line) => line.length <= 80)).to.equal(true);
      for (const mark of CLIPANION_MARKS) expect(result.stdout).not.to.match(mark);
    });
  }

  it('refuses help for an unknown command', async () => {
    expect(await cli.run('help', 'launch')).to.deep.equal({
      code: 1,
      stdout: '',
      stderr: 'Error: Unknown command \'launch\' (try "multipass help")\n',
    });
  });

  it('refuses help for two commands at once', async () => {
    expect(await cli.run('help', 'list', 'get')).to.deep.equal({ code: 1, stdout: '', stderr: 'Too many arguments given\n' });
  });
});

describe('multipass command-line errors', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('reports an unknown command on stderr with exit code 1', async () => {
    expect(await cli.run('launch', 'foo')).to.deep.equal({
      code: 1,
      stdout: '',
      stderr: 'Error: Unknown command \'launch\' (try "multipass help")\n',
    });
  });

  for (const [argv, option] of [
    [['list', '--fromat', 'json'], 'fromat'],
    [['get', '--format', 'json', 'local.passphrase'], 'format'],
    [['version', '--snapshots'], 'snapshots'],
    [['list', '-x'], 'x'],
    [['authenticate', '-vx', 'foo'], 'x'],
    [['--foo', 'list'], 'foo'],
    [['--foo'], 'foo'],
  ] as const) {
    it(`reports the unknown option in '${argv.join(' ')}' with exit code 1`, async () => {
      expect(await cli.run(...argv)).to.deep.equal({ code: 1, stdout: '', stderr: `Unknown option '${option}'.\n` });
      expect(cli.client.calls).to.deep.equal([]);
    });
  }

  for (const argv of [['list', 'extra'], ['version', 'extra'], ['authenticate', 'a', 'b'], ['get'], ['set', 'a=1', 'b=2']]) {
    it(`reports wrong arguments in '${argv.join(' ')}' with exit code 1, and calls nothing`, async () => {
      const result = await cli.run(...argv);
      expect(result).to.include({ code: 1, stdout: '' });
      expect(result.stderr).to.match(/^\S.*\n$/);
      for (const mark of CLIPANION_MARKS) expect(result.stderr).not.to.match(mark);
      expect(cli.connections).to.deep.equal([]);
    });
  }

  for (const argv of [['list', '--format'], ['version', '-v', '--format']]) {
    it(`reports the missing value in '${argv.join(' ')}' as Qt does, with exit code 1`, async () => {
      expect(await cli.run(...argv)).to.deep.equal({ code: 1, stdout: '', stderr: "Missing value after '--format'.\n" });
      expect(cli.connections).to.deep.equal([]);
    });
  }

  it('takes a passphrase that looks like an option after --', async () => {
    expect(await cli.run('authenticate', '--', '-h')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(cli.client.callsTo('authenticate')).to.deep.equal([['-h', 0]]);
  });
});
