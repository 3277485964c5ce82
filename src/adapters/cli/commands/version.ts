import { Option, UsageError } from 'clipanion';
import { RpcFailure } from '../../rpc/multipass-client.js';
import { ClientSetupFailure } from '../client-options.js';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';

/**
 * `multipass version`. As Multipass does, a daemon that cannot be reached (or does not trust
 * us) is not an error here: only the client line is printed, and the exit code is 0, so the
 * command stays useful for finding out which client is installed.
 */
export class VersionCommand extends MultipassCommand {
  static override paths = [['version']];

  static override usage: CommandUsage = {
    description: 'Show version details',
    details: 'Display version information about the multipass command\nand daemon.',
  };

  args = Option.Rest();

  async execute(): Promise<number> {
    if (this.args.length > 0) throw new UsageError('This command takes no arguments');
    const daemonVersion = await this.withClient((client) => client.version(this.verbosity)).catch((error: unknown) => {
      if (error instanceof RpcFailure || error instanceof ClientSetupFailure) return '';
      throw error;
    });
    let text = versionLine('multipass', this.context.clientVersion);
    if (daemonVersion !== '') text += versionLine('multipassd', daemonVersion);
    this.context.stdout.write(text);
    return 0;
  }
}

const versionLine = (program: string, version: string): string => `${program.padEnd(12)}${version}\n`;
