import { UsageError } from 'clipanion';

export const PASSPHRASE_KEY = 'local.passphrase';

/**
 * Keys under this prefix are the daemon's (Multipass's remote settings handler); the CLI has
 * no settings of its own, so any other key is unknown here, as Multipass says for a key no
 * handler takes: a command-line error, found before the daemon is asked.
 */
const DAEMON_KEY_PREFIX = 'local.';

export const unrecognizedSetting = (key: string): UsageError => new UsageError(`Unrecognized settings key: '${key}'`);

export function requireDaemonKey(key: string): void {
  if (!key.startsWith(DAEMON_KEY_PREFIX)) throw unrecognizedSetting(key);
}

/** Multipass's closing paragraph of `get` and `set` help, with the key this daemon serves. */
export const COMMON_SETTINGS_KEYS =
  'Some common settings keys are:\n' +
  `  - ${PASSPHRASE_KEY}\n\n` +
  'Use `multipass get --keys` to obtain the full list of available settings at any given time.';
