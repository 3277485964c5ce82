import { expect } from 'chai';
import { RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';
import { CliHarness } from './cli-harness.js';

describe('multipass set', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('sends key and value from key=value, without prompting or printing', async () => {
    expect(await cli.run('set', 'local.passphrase=foo')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(cli.client.callsTo('set')).to.deep.equal([['local.passphrase', 'foo', 0]]);
    expect(cli.prompter.prompts).to.deep.equal([]);
  });

  it('keeps everything after the first = as the value', async () => {
    await cli.run('set', 'local.passphrase=a=b==');
    expect(cli.client.callsTo('set')).to.deep.equal([['local.passphrase', 'a=b==', 0]]);
  });

  it('sends an empty value for key=, which clears the passphrase', async () => {
    expect((await cli.run('set', 'local.passphrase=')).code).to.equal(0);
    expect(cli.client.callsTo('set')).to.deep.equal([['local.passphrase', '', 0]]);
  });

  it('asks twice for local.passphrase given without a value, and sends it', async () => {
    cli.answering('hunter2', 'hunter2');
    expect(await cli.run('set', 'local.passphrase', '-vv')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
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

  it('refuses an empty key', async () => {
    expect(await cli.run('set', '=foo')).to.deep.equal({ code: 1, stdout: '', stderr: 'Bad key-value format.\n' });
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

  it('prints whether a passphrase is set, as the daemon answers', async () => {
    cli.client.settings.set('local.passphrase', 'true');
    expect(await cli.run('get', 'local.passphrase')).to.deep.equal({ code: 0, stdout: 'true\n', stderr: '' });
    expect(cli.client.callsTo('get')).to.deep.equal([['local.passphrase', 0]]);
  });

  it('prints false when none is set, and passes the verbosity', async () => {
    expect(await cli.run('get', '-vvvv', 'local.passphrase')).to.deep.equal({ code: 0, stdout: 'false\n', stderr: '' });
    expect(cli.client.callsTo('get')).to.deep.equal([['local.passphrase', 4]]);
  });

  it('shows an empty value as <empty>, as Multipass does', async () => {
    cli.client.settings.set('client.gui.hotkey', '');
    expect((await cli.run('get', 'client.gui.hotkey')).stdout).to.equal('<empty>\n');
  });

  it("relays the daemon's refusal of an unknown key with exit code 2", async () => {
    cli.client.failWith(new RpcFailure('INVALID_ARGUMENT', "Unrecognized settings key: 'local.nope'"));
    expect(await cli.run('get', 'local.nope')).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: "get failed: Unrecognized settings key: 'local.nope'\n",
    });
  });
});
