import { expect } from 'chai';
import { RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';
import { CliHarness } from './cli-harness.js';

const NOT_SET = 'Passphrase is not set. Please `multipass set local.passphrase` with a trusted client.';
const NOT_CORRECT = 'Passphrase is not correct. Please try again.';

describe('multipass authenticate', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('sends the passphrase given on the command line, silently, without prompting', async () => {
    expect(await cli.run('authenticate', 'foo')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(cli.client.callsTo('authenticate')).to.deep.equal([['foo', 0]]);
    expect(cli.prompter.prompts).to.deep.equal([]);
    expect(cli.client.closed).to.equal(true);
  });

  it('answers to its alias auth', async () => {
    expect((await cli.run('auth', 'foo')).code).to.equal(0);
    expect(cli.client.callsTo('authenticate')).to.deep.equal([['foo', 0]]);
  });

  it('connects with the root CA, the client identity and the configured address', async () => {
    await cli.run('auth', 'foo');
    expect(cli.connections).to.deep.equal([
      {
        address: `unix:${cli.socketPath}`,
        rootCertPem: '-----BEGIN CERTIFICATE-----\nZmFrZSByb290\n-----END CERTIFICATE-----\n',
        clientCertPem: 'client-cert-pem',
        clientKeyPem: 'client-key-pem',
      },
    ]);
    expect(cli.identityDirs).to.deep.equal([`${cli.vars.HOME}/.local/share/multipass-client-certificate`]);
  });

  it('prompts for the passphrase when none is given and sends the answer', async () => {
    cli.answering('open-sesame');
    expect(await cli.run('authenticate')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(cli.prompter.prompts).to.deep.equal(['Please enter passphrase: ']);
    expect(cli.client.callsTo('authenticate')).to.deep.equal([['open-sesame', 0]]);
  });

  it('refuses an empty answer at the prompt with exit code 1, before connecting', async () => {
    cli.answering('');
    expect(await cli.run('authenticate')).to.deep.equal({ code: 1, stdout: '', stderr: 'No passphrase given\n' });
    expect(cli.connections).to.deep.equal([]);
  });

  it('relays the daemon when no passphrase is set', async () => {
    cli.client.failWith(new RpcFailure('FAILED_PRECONDITION', NOT_SET));
    expect(await cli.run('authenticate', 'foo')).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: 'authenticate failed: Passphrase is not set. Please `multipass set local.passphrase` with a trusted client.\n',
    });
  });

  it('relays the daemon when the passphrase is wrong, under the canonical name for auth', async () => {
    cli.client.failWith(new RpcFailure('INVALID_ARGUMENT', NOT_CORRECT));
    expect(await cli.run('auth', 'wrong')).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: 'authenticate failed: Passphrase is not correct. Please try again.\n',
    });
    expect(cli.client.closed).to.equal(true);
  });

  for (const [flags, level] of [
    [['-v'], 1],
    [['-vv'], 2],
    [['-v', '--verbose', '-v'], 3],
    [['-vvvv'], 4],
    [['-vvvvvv'], 4],
  ] as const) {
    it(`sends verbosity ${level} for ${flags.join(' ')}`, async () => {
      expect((await cli.run('authenticate', ...flags, 'foo')).code).to.equal(0);
      expect(cli.client.callsTo('authenticate')).to.deep.equal([['foo', level]]);
    });
  }

  it('accepts the verbosity flags before the command name too', async () => {
    expect((await cli.run('-vvv', 'auth', 'foo')).code).to.equal(0);
    expect(cli.client.callsTo('authenticate')).to.deep.equal([['foo', 3]]);
  });
});
