import { Option, UsageError } from 'clipanion';
import type { CommandUsage } from '../help.js';
import { formatInstances } from '../instance-table.js';
import { MultipassCommand } from '../multipass-command.js';

/** `multipass list` (alias `ls`): the daemon's instances, as Multipass's table. */
export class ListCommand extends MultipassCommand {
  static override paths = [['list'], ['ls']];

  static override usage: CommandUsage = {
    description: 'List all available instances',
    details: 'List all instances which have been created.',
  };

  args = Option.Rest();

  async execute(): Promise<number> {
    if (this.args.length > 0) throw new UsageError('This command takes no arguments');
    const instances = await this.withClient((client) => client.list(this.verbosity));
    this.context.stdout.write(formatInstances(instances));
    return 0;
  }
}
