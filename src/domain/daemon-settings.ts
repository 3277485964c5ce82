import { AuthError } from './auth-error.js';
import { PASSPHRASE_KEY, type PassphraseVault } from './passphrase-vault.js';

/**
 * The settings the daemon answers `get`/`set` for. Only `local.passphrase` exists here; its
 * value is write-only: `get` tells whether one is set (`true`/`false`), never the hash.
 */
export class DaemonSettings {
  constructor(private readonly vault: PassphraseVault) {}

  keys(): readonly string[] {
    return [PASSPHRASE_KEY];
  }

  async get(key: string): Promise<string> {
    this.requireKnown(key);
    return (await this.vault.isSet()) ? 'true' : 'false';
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
