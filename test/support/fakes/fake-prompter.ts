import type { Prompter } from '../../../src/adapters/cli/prompter.js';

/** A Prompter that gives scripted answers in order and records the prompts it was asked. */
export class FakePrompter implements Prompter {
  readonly prompts: string[] = [];
  private readonly answers: string[];

  constructor(answers: readonly string[] = []) {
    this.answers = [...answers];
  }

  /** Set to answer as a person at a terminal would be asked. */
  interactive = false;

  async confirm(question: string): Promise<boolean> {
    return /^y(es)?$/i.test(await this.secret(question));
  }

  async secret(prompt: string): Promise<string> {
    this.prompts.push(prompt);
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error(`FakePrompter: no answer left for ${JSON.stringify(prompt)}`);
    return answer;
  }
}
