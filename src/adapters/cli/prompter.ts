import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';

/** Asks the user for text that must not be shown (passphrases). */
export interface Prompter {
  /**
   * Writes `prompt`, reads one line without echoing it and returns it without its line ending.
   * An empty line gives `''`. Rejects with `PromptError` when there is nothing left to read or
   * the user cancels.
   */
  secret(prompt: string): Promise<string>;
  /** Whether a person answers (input is a terminal): only then is a confirmation asked for. */
  readonly interactive: boolean;
  /**
   * Writes `question`, reads one line with echo on, and resolves true only for y or yes (any
   * case). Rejects with `PromptError` as `secret` does.
   */
  confirm(question: string): Promise<boolean>;
}

/** A prompt that could not be answered: input ended, or the user pressed Ctrl-C. */
export class PromptError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
    this.name = 'PromptError';
  }
}

type Input = Readable & { isTTY?: boolean };

/**
 * Prompts on a terminal with echo off (the `read` package puts the TTY in raw mode and mutes
 * what readline would echo). When input is not a TTY (a pipe, as in scripts and the e2e
 * tests), it reads plain lines instead and keeps whatever followed the line for the next
 * prompt, so `printf 'a\na\n' | multipass set local.passphrase` answers both prompts.
 * Like Multipass, the prompt goes to stdout and a newline follows the hidden answer.
 */
export class TerminalPrompter implements Prompter {
  private lines: LineReader | undefined;

  constructor(
    private readonly input: Input,
    private readonly output: Writable,
  ) {}

  get interactive(): boolean {
    return this.input.isTTY === true;
  }

  async secret(prompt: string): Promise<string> {
    try {
      return this.interactive ? await this.fromTerminal(prompt, true) : await this.fromPipe(prompt);
    } finally {
      // The hidden Enter moves no cursor: end the prompt's line, answered or not.
      this.output.write('\n');
    }
  }

  async confirm(question: string): Promise<boolean> {
    const answer = this.interactive ? await this.fromTerminal(question, false) : await this.fromPipe(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  }

  private async fromTerminal(prompt: string, silent: boolean): Promise<string> {
    // Loaded only when a passphrase is actually asked for: most commands never prompt.
    const { read } = await import('read');
    // `terminal: true` even when stdout is redirected: raw mode is what turns the echo off.
    const reading = read({ prompt, silent, replace: '', input: this.input, output: this.output, terminal: true });
    let settled = false;
    reading.then(
      () => (settled = true),
      () => (settled = true),
    );
    // read v5 never settles when readline closes on Ctrl-D at an empty prompt. readline pauses
    // its input whenever it closes; if read has not answered by the next turn, input ended.
    let onPause = (): void => undefined;
    const ended = new Promise<never>((_, reject) => {
      onPause = () => setImmediate(() => settled || reject(new PromptError('Failed to read value')));
      this.input.once('pause', onPause);
    });
    try {
      return await Promise.race([reading, ended]);
    } catch (error) {
      if (error instanceof Error && error.message === 'canceled') throw new PromptError('Cancelled', true);
      throw error;
    } finally {
      this.input.off('pause', onPause);
    }
  }

  private async fromPipe(prompt: string): Promise<string> {
    this.output.write(prompt);
    this.lines ??= new LineReader(this.input);
    const line = await this.lines.next();
    if (line === undefined) throw new PromptError('Failed to read value');
    return line;
  }
}

/** Lines from a stream, read on demand; the stream is paused between requests so the process can exit. */
class LineReader {
  private buffer = '';
  private ended = false;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly input: Readable) {}

  /** The next line without its ending; a last line without `\n` counts; undefined at the end. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline !== -1) {
        const line = this.buffer.slice(0, newline).replace(/\r$/, '');
        this.buffer = this.buffer.slice(newline + 1);
        return line;
      }
      if (this.ended) {
        const rest = this.buffer;
        this.buffer = '';
        return rest === '' ? undefined : rest;
      }
      await this.readMore();
    }
  }

  private readMore(): Promise<void> {
    if (this.input.readableEnded) {
      this.ended = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer | string) => {
        this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
        settle(resolve);
      };
      const onEnd = () => {
        this.buffer += this.decoder.end();
        this.ended = true;
        settle(resolve);
      };
      const onError = (error: Error) => settle(() => reject(error));
      const settle = (then: () => void) => {
        this.input.off('data', onData);
        this.input.off('end', onEnd);
        this.input.off('error', onError);
        this.input.pause();
        then();
      };
      this.input.on('data', onData);
      this.input.once('end', onEnd);
      this.input.once('error', onError);
      this.input.resume();
    });
  }
}
