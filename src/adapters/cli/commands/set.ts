import { Option, UsageError } from 'clipanion';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';
import type { Prompter } from '../prompter.js';
import { PASSPHRASE_PROMPT } from './authenticate.js';

export const PASSPHRASE_KEY = 'local.passphrase';
export const REPEAT_PASSPHRASE_PROMPT = 'Please re-enter passphrase: ';

/** `multipass set <key>[=<value>]`; `local.passphrase` alone asks twice, unseen. */
export class SetCommand extends MultipassCommand {
  static override paths = [['set']];

  static override usage: CommandUsage = {
    description: 'Set a configuration setting',
    details:
      'Set, to the given value, the configuration setting corresponding to the given key.\n\n' +
      'Settings keys:\n' +
      `  - ${PASSPHRASE_KEY}: the passphrase other users give to 'multipass authenticate'.\n` +
      '    Without a value, it is prompted for; an empty value removes it.',
    synopsis: '<key>[=<value>]',
    arguments: [
      {
        name: 'keyval',
        description:
          'A key, or a key-value pair. The key specifies a path to the setting to configure. ' +
          'The value is its intended value. If only the key is given, the value will be prompted for.',
      },
    ],
  };

  args = Option.Rest({ name: 'keyval' });

  async execute(): Promise<number> {
    if (this.args.length !== 1) throw new UsageError('Need exactly one key-value pair (in <key>=<value> form).');
    const keyval = this.args[0] as string;
    // Split at the first '=' only (Multipass refuses a second one): a passphrase may contain '='.
    const separator = keyval.indexOf('=');
    const key = separator === -1 ? keyval : keyval.slice(0, separator);
    if (key === '') throw new UsageError('Bad key-value format.');
    const value = separator === -1 ? await promptedValue(key, this.context.prompter) : keyval.slice(separator + 1);
    await this.withClient((client) => client.set(key, value, this.verbosity));
    return 0;
  }
}

async function promptedValue(key: string, prompter: Prompter): Promise<string> {
  if (key !== PASSPHRASE_KEY) throw new UsageError(`Need a value for '${key}' (in <key>=<value> form).`);
  const passphrase = await prompter.secret(PASSPHRASE_PROMPT);
  if ((await prompter.secret(REPEAT_PASSPHRASE_PROMPT)) !== passphrase) throw new UsageError('Passphrases do not match');
  return passphrase;
}
