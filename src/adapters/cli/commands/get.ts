import { Option, UsageError } from 'clipanion';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';

/** `multipass get <key>`: for `local.passphrase` the daemon answers `true`/`false`, never the secret. */
export class GetCommand extends MultipassCommand {
  static override paths = [['get']];

  static override usage: CommandUsage = {
    description: 'Get a configuration setting',
    details:
      'Get the configuration setting corresponding to the given key.\n\n' +
      'Settings keys:\n' +
      "  - local.passphrase: 'true' if a passphrase is set, 'false' otherwise.",
    synopsis: '<key>',
    arguments: [{ name: 'key', description: 'Path to the setting whose configured value should be obtained.' }],
  };

  args = Option.Rest({ name: 'key' });

  async execute(): Promise<number> {
    const [key] = this.args;
    if (this.args.length !== 1 || key === undefined) throw new UsageError('Need exactly one settings key.');
    const value = await this.withClient((client) => client.get(key, this.verbosity));
    // Multipass's way of showing an unset value without printing a blank line.
    this.context.stdout.write(`${value === '' ? '<empty>' : value}\n`);
    return 0;
  }
}
