import { expect } from 'chai';
import { DISABLE_ENROLMENT_QUESTION } from '../../../src/adapters/cli/commands/set.js';
import { CliHarness } from './cli-harness.js';

describe('multipass set local.passphrase to nothing', () => {
  let cli: CliHarness;
  beforeEach(() => (cli = new CliHarness()));
  afterEach(() => cli.dispose());

  it('asks a person at a terminal first, and sets nothing unless the answer is yes', async () => {
    cli.answering('n');
    cli.prompter.interactive = true;
    expect(await cli.run('set', 'local.passphrase=')).to.deep.equal({ code: 2, stdout: '', stderr: 'The passphrase is unchanged.\n' });
    expect(cli.prompter.prompts).to.deep.equal([DISABLE_ENROLMENT_QUESTION]);
    expect(cli.connections).to.deep.equal([]);
  });

  it('clears it once the person says yes', async () => {
    cli.answering('YES');
    cli.prompter.interactive = true;
    expect((await cli.run('set', 'local.passphrase=')).code).to.equal(0);
    expect(cli.client.callsTo('set')).to.deep.equal([['local.passphrase', '', 0]]);
  });

  it('asks after two empty hidden prompts too', async () => {
    cli.answering('', '', 'no');
    cli.prompter.interactive = true;
    expect((await cli.run('set', 'local.passphrase')).code).to.equal(2);
    expect(cli.prompter.prompts.at(-1)).to.equal(DISABLE_ENROLMENT_QUESTION);
  });

  it('does not ask a script, nor for a non-empty passphrase', async () => {
    expect((await cli.run('set', 'local.passphrase=')).code).to.equal(0);
    cli.prompter.interactive = true;
    expect((await cli.run('set', 'local.passphrase=pw')).code).to.equal(0);
    expect(cli.prompter.prompts).to.deep.equal([]);
    expect(cli.client.callsTo('set')).to.deep.equal([
      ['local.passphrase', '', 0],
      ['local.passphrase', 'pw', 0],
    ]);
  });
});
