import { Option, UsageError } from 'clipanion';
import type { CommandUsage } from '../help.js';
import { ExitCode } from '../failure.js';
import { MultipassCommand } from '../multipass-command.js';
import type { Prompter } from '../prompter.js';
import { COMMON_SETTINGS_KEYS, PASSPHRASE_KEY, requireDaemonKey } from '../settings-keys.js';
import { PASSPHRASE_PROMPT } from './authenticate.js';

export const REPEAT_PASSPHRASE_PROMPT = 'Please re-enter passphrase: ';

/** `multipass set <key>[=<value>]`; `local.passphrase` alone asks twice, unseen. */
export class SetCommand extends MultipassCommand {
  static override paths = [['set']];

  static override usage: CommandUsage = {
    description: 'Set a configuration setting',
    details:
      'Set, to the given value, the configuration setting corresponding to the given key.\n\n' + COMMON_SETTINGS_KEYS,
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
    // As Multipass: one '=' at most, so a value with '=' in it is given at the prompt instead.
    const [key = '', value, ...more] = (this.args[0] as string).split('=');
    if (key === '' || more.length > 0) throw new UsageError('Bad key-value format.');
    // Checked before prompting: there is no point asking for a value nobody would take.
    requireDaemonKey(key);
    const val = value ?? (await promptedValue(key, this.context.prompter));
    if (key === PASSPHRASE_KEY && val === '' && !(await confirmedDisabling(this.context.prompter))) {
      this.context.stderr.write('The passphrase is unchanged.\n');
      return ExitCode.CommandFail;
    }
    await this.withClient((client) => client.set(key, val, this.verbosity));
    return 0;
  }
}

export const DISABLE_ENROLMENT_QUESTION =
  'An empty passphrase turns enrolment off: users whose client is not trusted yet cannot authenticate\n' +
  'until a passphrase is set again (trusted clients and one-time tokens still work).\nContinue? [y/N] ';

/** Clearing the passphrase locks new users out: a person at a terminal confirms it; a script is not asked. */
async function confirmedDisabling(prompter: Prompter): Promise<boolean> {
  return !prompter.interactive || (await prompter.confirm(DISABLE_ENROLMENT_QUESTION));
}

async function promptedValue(key: string, prompter: Prompter): Promise<string> {
  if (key !== PASSPHRASE_KEY) throw new UsageError(`Need a value for '${key}' (in <key>=<value> form).`);
  const passphrase = await prompter.secret(PASSPHRASE_PROMPT);
  if ((await prompter.secret(REPEAT_PASSPHRASE_PROMPT)) !== passphrase) throw new UsageError('Passphrases do not match');
  return passphrase;
}
