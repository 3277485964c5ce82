import { Option, UsageError } from 'clipanion';
import { formatInstances } from '../format/instance-list.js';
import { formatOptionHelp, outputFormat } from '../format/output-format.js';
import { formatSnapshots } from '../format/snapshot-list.js';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';

/** `multipass list` (alias `ls`): the daemon's instances, or their snapshots, as Multipass shows them. */
export class ListCommand extends MultipassCommand {
  static override paths = [['list'], ['ls']];

  static override usage: CommandUsage = {
    description: 'List all available instances or snapshots',
    details: 'List all instances or snapshots which have been created.',
    options: [
      { names: '--snapshots', description: 'List all available snapshots' },
      formatOptionHelp('list'),
      { names: '--no-ipv4', description: "Do not query the instances for the IPv4's they are using", hidden: true },
    ],
  };

  snapshots = Option.Boolean('--snapshots', false);
  format = Option.String('--format', 'table');
  noIpv4 = Option.Boolean('--no-ipv4', false);
  args = Option.Rest();

  async execute(): Promise<number> {
    if (this.args.length > 0) throw new UsageError('This command takes no arguments');
    if (this.snapshots && this.noIpv4) {
      throw new UsageError('IP addresses are not applicable in conjunction with listing snapshots');
    }
    const format = outputFormat(this.format);
    const options = { snapshots: this.snapshots, requestIpv4: !this.noIpv4 };
    const listed = await this.withClient((client) => client.list(options, this.verbosity));
    this.context.stdout.write(
      listed.kind === 'snapshots' ? formatSnapshots(listed.snapshots, format) : formatInstances(listed.instances, format),
    );
    return 0;
  }
}
