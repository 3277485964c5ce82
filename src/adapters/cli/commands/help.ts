import { Option, UsageError } from 'clipanion';
import { findCommand, renderCommandHelp, renderGeneralHelp, type CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';

/** `multipass help [<command>]`, in Multipass's format. */
export class HelpCommand extends MultipassCommand {
  static override paths = [['help']];

  static override usage: CommandUsage = {
    description: 'Display help about a command',
    details: 'Display this help message and exit.',
    synopsis: '[<command>]',
    arguments: [{ name: 'command', description: 'Name of command to display help for' }],
  };

  args = Option.Rest({ name: 'command' });

  async execute(): Promise<number> {
    const { commands, stdout } = this.context;
    if (this.args.length > 1) throw new UsageError('Too many arguments given');
    const [name] = this.args;
    if (name === undefined) {
      stdout.write(renderGeneralHelp(commands));
      return 0;
    }
    const command = findCommand(commands, name);
    if (command === undefined) throw new UsageError(`Error: Unknown command '${name}' (try "multipass help")`);
    stdout.write(renderCommandHelp(command));
    return 0;
  }
}
