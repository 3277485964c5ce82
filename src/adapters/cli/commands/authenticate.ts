import { Option, UsageError } from 'clipanion';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';
import { showClientStatus } from './whoami.js';

export const PASSPHRASE_PROMPT = 'Please enter passphrase: ';

/** `multipass authenticate [<passphrase>]`: enrol this client with the admin's passphrase. */
export class AuthenticateCommand extends MultipassCommand {
  static override paths = [['authenticate'], ['auth']];

  static override usage: CommandUsage = {
    description: 'Authenticate client',
    details:
      'Authenticate with the Multipass service.\n' +
      'A system administrator should provide you with a passphrase\n' +
      'to allow use of the Multipass service.',
    synopsis: '[<passphrase>]',
    arguments: [
      {
        name: 'passphrase',
        description:
          'Passphrase to register with the Multipass service. If omitted, a prompt will be displayed for entering the passphrase.',
      },
    ],
    // Hidden, so the help stays Multipass's: `multipass whoami` under the name users try first.
    options: [{ names: '--status', description: 'Show whether this client is trusted (as multipass whoami)', hidden: true }],
  };

  args = Option.Rest({ name: 'passphrase' });
  status = Option.Boolean('--status', false);

  async execute(): Promise<number> {
    if (this.status) {
      if (this.args.length > 0) throw new UsageError('--status takes no passphrase');
      return showClientStatus(this.context, 'table', this.trace);
    }
    if (this.args.length > 1) throw new UsageError('Too many arguments given');
    // A passphrase on the command line is sent as given; only the prompt refuses an empty one.
    const passphrase = this.args[0] ?? (await this.askPassphrase());
    await this.withClient((client) => client.authenticate(passphrase, this.verbosity));
    return 0;
  }

  private async askPassphrase(): Promise<string> {
    const passphrase = await this.context.prompter.secret(PASSPHRASE_PROMPT);
    if (passphrase === '') throw new UsageError('No passphrase given');
    return passphrase;
  }
}
