import { Option, UsageError } from 'clipanion';
import { RpcFailure } from '../../rpc/multipass-client.js';
import { ClientSetupFailure } from '../client-options.js';
import { formatOptionHelp, outputFormat } from '../format/output-format.js';
import { formatVersion } from '../format/version-report.js';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';

/**
 * `multipass version`. As Multipass does, a daemon that cannot be reached (or does not trust
 * us) is not an error here: only the client's version is shown, and the exit code is 0, so
 * the command stays useful for finding out which client is installed.
 */
export class VersionCommand extends MultipassCommand {
  static override paths = [['version']];

  static override usage: CommandUsage = {
    description: 'Show version details',
    details: 'Display version information about the multipass command\nand daemon.',
    options: [formatOptionHelp('version information')],
  };

  format = Option.String('--format', 'table');
  args = Option.Rest();

  async execute(): Promise<number> {
    if (this.args.length > 0) throw new UsageError('This command takes no arguments');
    const format = outputFormat(this.format);
    const daemon = await this.withClient((client) => client.version(this.verbosity)).catch((error: unknown) => {
      if (error instanceof RpcFailure || error instanceof ClientSetupFailure) return undefined;
      throw error;
    });
    this.context.stdout.write(formatVersion(this.context.clientVersion, daemon, format));
    return 0;
  }
}
