import { expect } from 'chai';
import { RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';
import { CliHarness } from './cli-harness.js';
import { quietened } from './client-lines.js';

describe('multipass set', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('sends key and value from key=value, without prompting or printing', async () => {
    expect(await cli.run('set', 'local.passphrase=foo')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(cli.client.callsTo('set')).to.deep.equal([['local.passphrase', 'foo', 0]]);
    expect(cli.prompter.prompts).to.deep.equal([]);
  });

  for (const keyval of ['local.passphrase=a=b', 'local.passphrase=a=b==', 'k=v=w', '=foo', '=']) {
    it(`refuses '${keyval}' with Multipass's "Bad key-value format." (exit 1), calling nothing`, async () => {
      expect(await cli.run('set', keyval)).to.deep.equal({ code: 1, stdout: '', stderr: 'Bad key-value format.\n' });
      expect(cli.connections).to.deep.equal([]);
    });
  }

  for (const keyval of ['foo=bar', 'client.primary-name=x', 'local', 'passphrase']) {
    it(`refuses the key in '${keyval}', which no handler takes, with Multipass's message (exit 1)`, async () => {
      const key = keyval.split('=')[0];
      expect(await cli.run('set', keyval)).to.deep.equal({ code: 1, stdout: '', stderr: `Unrecognized settings key: '${key}'\n` });
      expect(cli.prompter.prompts).to.deep.equal([]);
      expect(cli.connections).to.deep.equal([]);
    });
  }

  it("relays the daemon's refusal of an unknown local key as a failed command (exit 2), as Multipass does", async () => {
    cli.client.failWith(new RpcFailure('INVALID_ARGUMENT', "Unrecognized settings key: 'local.nope'"));
    expect(await cli.run('set', 'local.nope=1')).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: "set failed: Unrecognized settings key: 'local.nope'\n",
    });
  });

  it('sends an empty value for key=, which clears the passphrase', async () => {
    expect((await cli.run('set', 'local.passphrase=')).code).to.equal(0);
    expect(cli.client.callsTo('set')).to.deep.equal([['local.passphrase', '', 0]]);
  });

  it('asks twice for local.passphrase given without a value, and sends it', async () => {
    cli.answering('hunter2', 'hunter2');
    expect(quietened(await cli.run('set', 'local.passphrase', '-vv'))).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(cli.prompter.prompts).to.deep.equal(['Please enter passphrase: ', 'Please re-enter passphrase: ']);
    expect(cli.client.callsTo('set')).to.deep.equal([['local.passphrase', 'hunter2', 2]]);
  });

  it('refuses mismatched passphrases with exit code 1 and sets nothing', async () => {
    cli.answering('first', 'second');
    expect(await cli.run('set', 'local.passphrase')).to.deep.equal({ code: 1, stdout: '', stderr: 'Passphrases do not match\n' });
    expect(cli.connections).to.deep.equal([]);
  });

  it('refuses another key without a value as a usage error, without prompting', async () => {
    const result = await cli.run('set', 'local.driver');
    expect(result).to.deep.equal({ code: 1, stdout: '', stderr: "Need a value for 'local.driver' (in <key>=<value> form).\n" });
    expect(cli.prompter.prompts).to.deep.equal([]);
    expect(cli.connections).to.deep.equal([]);
  });

  it('tells an untrusted client to authenticate first', async () => {
    cli.client.failWith(new RpcFailure('UNAUTHENTICATED', 'The client is not authenticated with the Multipass service.'));
    expect(await cli.run('set', 'local.passphrase=foo')).to.deep.equal({
      code: 2,
      stdout: '',
      stderr:
        "set failed: The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.\n",
    });
  });
});

describe('multipass get', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('prints true when the daemon answers any non-empty value for local.passphrase, as Multipass does', async () => {
    cli.client.settings.set('local.passphrase', 'some-marker');
    expect(await cli.run('get', 'local.passphrase')).to.deep.equal({ code: 0, stdout: 'true\n', stderr: '' });
    expect(cli.client.callsTo('get')).to.deep.equal([['local.passphrase', 0]]);
  });

  it('prints false when the daemon answers an empty value, and passes the verbosity', async () => {
    expect(quietened(await cli.run('get', '-vvvv', 'local.passphrase'))).to.deep.equal({ code: 0, stdout: 'false\n', stderr: '' });
    expect(cli.client.callsTo('get')).to.deep.equal([['local.passphrase', 4]]);
  });

  it('prints true/false for local.passphrase with --raw too', async () => {
    expect((await cli.run('get', '--raw', 'local.passphrase')).stdout).to.equal('false\n');
  });

  it('shows another empty value as <empty>, or as an empty line with --raw, as Multipass does', async () => {
    cli.client.settings.set('local.bridged-network', '');
    expect((await cli.run('get', 'local.bridged-network')).stdout).to.equal('<empty>\n');
    expect((await cli.run('get', 'local.bridged-network', '--raw')).stdout).to.equal('\n');
    cli.client.settings.set('local.driver', 'qemu');
    expect((await cli.run('get', '--raw', 'local.driver')).stdout).to.equal('qemu\n');
  });

  it("relays the daemon's refusal of an unknown local key as a failed command (exit 2), as Multipass does", async () => {
    cli.client.failWith(new RpcFailure('INVALID_ARGUMENT', "Unrecognized settings key: 'local.nope'"));
    expect(await cli.run('get', 'local.nope')).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: "get failed: Unrecognized settings key: 'local.nope'\n",
    });
  });

  it('refuses a key no handler takes with Multipass\'s message (exit 1), without asking the daemon', async () => {
    expect(await cli.run('get', 'client.gui.hotkey')).to.deep.equal({
      code: 1,
      stdout: '',
      stderr: "Unrecognized settings key: 'client.gui.hotkey'\n",
    });
    expect(cli.connections).to.deep.equal([]);
  });

  for (const argv of [['get'], ['get', 'a', 'b'], ['get', '--keys', 'a', 'b']]) {
    it(`refuses '${argv.join(' ')}' as Multipass does (exit 1)`, async () => {
      expect(await cli.run(...argv)).to.deep.equal({
        code: 1,
        stdout: '',
        stderr:
          'Multiple settings not implemented yet. Please try again with either a single key or just the `--keys` flag for now.\n',
      });
      expect(cli.connections).to.deep.equal([]);
    });
  }
});

describe('multipass get --keys', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('lists the keys the daemon serves, sorted, one a line', async () => {
    cli.client.settings.set('local.driver', 'qemu');
    expect(quietened(await cli.run('get', '--keys', '-v'))).to.deep.equal({
      code: 0,
      stdout: 'local.driver\nlocal.passphrase\n',
      stderr: '',
    });
    expect(cli.client.callsTo('keys')).to.deep.equal([[1]]);
  });

  it('prints a key it serves, and refuses one it does not with exit 1', async () => {
    expect(await cli.run('get', '--keys', 'local.passphrase')).to.deep.equal({ code: 0, stdout: 'local.passphrase\n', stderr: '' });
    expect(await cli.run('get', '--keys', 'local.nope')).to.deep.equal({
      code: 1,
      stdout: '',
      stderr: "Unrecognized settings key: 'local.nope'\n",
    });
  });

  it('falls back to a hint when the daemon has no keys method (NOT_FOUND), as Multipass does', async () => {
    cli.client.failWith(new RpcFailure('NOT_FOUND', 'no keys here'), 'keys');
    expect((await cli.run('get', '--keys')).stdout).to.equal('local.* \t (need daemon to find out actual keys)\n');
  });

  it('reports any other failure as get failed', async () => {
    cli.client.failWith(new RpcFailure('UNAUTHENTICATED', 'no'), 'keys');
    expect(await cli.run('get', '--keys')).to.include({ code: 2 });
  });
});
