import { AuthError } from './auth-error.js';
import { PASSPHRASE_KEY, type PassphraseVault } from './passphrase-vault.js';

/**
 * What `get local.passphrase` answers once a passphrase is set. Multipass sends the stored
 * hash and its CLI prints any non-empty value as `true`; a fixed marker gives every client
 * the same answer without letting the hash leave the daemon.
 */
export const PASSPHRASE_SET_MARKER = 'true';

/**
 * The settings the daemon answers `get`/`set` for. Only `local.passphrase` exists here; its
 * value is write-only: `get` answers '' while none is set and PASSPHRASE_SET_MARKER once one
 * is, never the hash.
 */
export class DaemonSettings {
  constructor(private readonly vault: PassphraseVault) {}

  keys(): readonly string[] {
    return [PASSPHRASE_KEY];
  }

  async get(key: string): Promise<string> {
    this.requireKnown(key);
    return (await this.vault.isSet()) ? PASSPHRASE_SET_MARKER : '';
  }

  async set(key: string, value: string): Promise<void> {
    this.requireKnown(key);
    await this.vault.set(value);
  }

  private requireKnown(key: string): void {
    if (key !== PASSPHRASE_KEY) {
      throw new AuthError('invalid-setting', `Unrecognized settings key: '${key}'`);
    }
  }
}
