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

/** A stand-in for a TTY stdin: readline drives it in raw mode, keystroke by keystroke. */
class FakeTtyInput extends PassThrough {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  isRaw = false;

  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    this.isRaw = mode;
    return this;
  }
}

describe('TerminalPrompter on a terminal', () => {
  let input: FakeTtyInput;
  let output: PassThrough;
  let written: string;
  let prompter: TerminalPrompter;

  beforeEach(() => {
    input = new FakeTtyInput();
    output = new PassThrough();
    written = '';
    output.on('data', (chunk: Buffer) => (written += chunk.toString()));
    prompter = new TerminalPrompter(input, output);
  });

  /** Types once the prompt is showing, as a person would. */
  const typeAfterPrompt = (keys: string) => {
    const poll = () => (written.includes('passphrase: ') ? input.write(keys) : setImmediate(poll));
    poll();
  };

  it('reads in raw mode without echoing, shows the prompt and ends its line', async () => {
    typeAfterPrompt('hunter2\r');
    expect(await prompter.secret('Please enter passphrase: ')).to.equal('hunter2');
    expect(written).to.contain('Please enter passphrase: ');
    expect(written).not.to.contain('hunter2');
    expect(written.endsWith('\n')).to.equal(true);
    expect(input.rawModes[0]).to.equal(true);
    expect(input.isRaw, 'the terminal is restored').to.equal(false);
  });

  it('fails with "Failed to read value" on Ctrl-D at an empty prompt', async () => {
    typeAfterPrompt('\u0004');
    const error = await prompter.secret('Please enter passphrase: ').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(PromptError);
    expect(error).to.include({ message: 'Failed to read value', cancelled: false });
  });

  it('reports Ctrl-C as a cancelled prompt', async () => {
    typeAfterPrompt('\u0003');
    const error = await prompter.secret('Please enter passphrase: ').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(PromptError);
    expect(error).to.include({ cancelled: true });
    expect(input.isRaw).to.equal(false);
  });

  it('asks a second time after a first answer', async () => {
    typeAfterPrompt('one\r');
    expect(await prompter.secret('Please enter passphrase: ')).to.equal('one');
    written = '';
    typeAfterPrompt('two\r');
    expect(await prompter.secret('Please re-enter passphrase: ')).to.equal('two');
    expect(written).to.contain('Please re-enter passphrase: ');
  });
});
