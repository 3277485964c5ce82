import { Option, UsageError } from 'clipanion';
import { RpcFailure } from '../../rpc/multipass-client.js';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';
import { COMMON_SETTINGS_KEYS, PASSPHRASE_KEY, requireDaemonKey, unrecognizedSetting } from '../settings-keys.js';

const ONE_KEY_ONLY =
  'Multiple settings not implemented yet. Please try again with either a single key or just the `--keys` flag for now.';

/** What Multipass lists when the daemon cannot say which keys it has. */
const UNKNOWN_DAEMON_KEYS = 'local.* \t (need daemon to find out actual keys)';

/**
 * `multipass get <key>` and `multipass get --keys [<key>]`. For `local.passphrase` the
 * daemon answers an empty value or a marker, shown as `false`/`true`; never the secret.
 */
export class GetCommand extends MultipassCommand {
  static override paths = [['get']];

  static override usage: CommandUsage = {
    description: 'Get a configuration setting',
    details:
      'Get the configuration setting(s) corresponding to the given key(s), or all settings if no key is specified.\n\n' +
      COMMON_SETTINGS_KEYS,
    synopsis: '[<arg> ...]',
    arguments: [
      {
        name: 'arg',
        description: 'Setting(s) key(s), i.e. path(s) to the setting(s) whose configured value(s) should be obtained.',
      },
    ],
    options: [
      {
        names: '--raw',
        description:
          'Output in raw format. For now, this affects only the representation of empty values (i.e. "" instead of "<empty>").',
      },
      {
        names: '--keys',
        description:
          'List available settings keys. This outputs the whole list of currently available settings keys, ' +
          'or a matching subset when <arg>... is(are) provided',
      },
    ],
  };

  raw = Option.Boolean('--raw', false);
  listKeys = Option.Boolean('--keys', false);
  args = Option.Rest({ name: 'arg' });

  async execute(): Promise<number> {
    const [key] = this.args;
    if (this.args.length > 1 || (key === undefined && !this.listKeys)) throw new UsageError(ONE_KEY_ONLY);
    this.context.stdout.write(this.listKeys ? await this.keysMatching(key) : await this.valueText(key as string));
    return 0;
  }

  private async valueText(key: string): Promise<string> {
    requireDaemonKey(key);
    const value = await this.withClient((client) => client.get(key, this.verbosity));
    if (key === PASSPHRASE_KEY) return value === '' ? 'false\n' : 'true\n';
    return value === '' && !this.raw ? '<empty>\n' : `${value}\n`;
  }

  private async keysMatching(key: string | undefined): Promise<string> {
    const keys = await this.withClient((client) => client.keys(this.verbosity)).catch((error: unknown) => {
      if (error instanceof RpcFailure && error.status === 'NOT_FOUND') return [UNKNOWN_DAEMON_KEYS];
      throw error;
    });
    if (key === undefined) return `${[...keys].sort().join('\n')}\n`;
    // Multipass matches the key exactly for now (no globbing).
    if (!keys.includes(key)) throw unrecognizedSetting(key);
    return `${key}\n`;
  }
}
