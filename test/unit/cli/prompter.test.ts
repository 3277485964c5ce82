import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { PromptError, TerminalPrompter } from '../../../src/adapters/cli/prompter.js';

/** The prompter as it runs under a pipe: stdin is not a TTY (the e2e tests pipe passphrases). */
describe('TerminalPrompter reading from a pipe', () => {
  let input: PassThrough;
  let output: PassThrough;
  let written: string;
  let prompter: TerminalPrompter;

  beforeEach(() => {
    input = new PassThrough();
    output = new PassThrough();
    written = '';
    output.on('data', (chunk: Buffer) => (written += chunk.toString()));
    prompter = new TerminalPrompter(input, output);
  });

  it('writes the prompt, returns the line without its ending, and ends the prompt line', async () => {
    input.write('s3cret\n');
    expect(await prompter.secret('Please enter passphrase: ')).to.equal('s3cret');
    expect(written).to.equal('Please enter passphrase: \n');
  });

  it('answers two prompts from two lines that arrive together', async () => {
    input.write('first\r\nsecond\n');
    expect(await prompter.secret('1: ')).to.equal('first');
    expect(await prompter.secret('2: ')).to.equal('second');
  });

  it('waits for a line that arrives in pieces, across a split UTF-8 character', async () => {
    const answer = prompter.secret('? ');
    const bytes = Buffer.from('pässword\n');
    input.write(bytes.subarray(0, 2));
    setImmediate(() => input.write(bytes.subarray(2)));
    expect(await answer).to.equal('pässword');
  });

  it('returns an empty line as an empty answer', async () => {
    input.write('\n');
    expect(await prompter.secret('? ')).to.equal('');
  });

  it('accepts a last line without a newline', async () => {
    input.end('no-newline');
    expect(await prompter.secret('? ')).to.equal('no-newline');
  });

  it('fails with "Failed to read value" when the input has ended', async () => {
    input.end();
    const error = await prompter.secret('? ').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(PromptError);
    expect(error).to.include({ message: 'Failed to read value', cancelled: false });
  });

  it('pauses its input between prompts, so that the process can exit', async () => {
    input.write('a\n');
    await prompter.secret('? ');
    expect(input.isPaused()).to.equal(true);
    expect(input.listenerCount('data')).to.equal(0);
  });
});
