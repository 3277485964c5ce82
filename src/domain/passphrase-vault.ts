import type { PassphraseHasher } from '../ports/passphrase-hasher.js';
import type { SettingsStore } from '../ports/settings-store.js';
import { AuthError } from './auth-error.js';

/** The settings key under which the passphrase hash is kept, as Multipass names the setting. */
export const PASSPHRASE_KEY = 'local.passphrase';

/**
 * Keeps the enrolment passphrase as a salted hash and checks candidates against it.
 * The passphrase itself is never stored, logged or returned.
 */
export class PassphraseVault {
  constructor(
    private readonly settings: SettingsStore,
    private readonly hasher: PassphraseHasher,
  ) {}

  /** An empty passphrase clears it, which turns enrolment off. */
  async set(passphrase: string): Promise<void> {
    if (passphrase === '') {
      await this.settings.delete(PASSPHRASE_KEY);
      return;
    }
    await this.settings.set(PASSPHRASE_KEY, await this.hasher.hash(passphrase));
  }

  async isSet(): Promise<boolean> {
    return (await this.settings.get(PASSPHRASE_KEY)) !== undefined;
  }

  /**
   * Costly on purpose (a slow hash): callers facing untrusted peers go through the
   * EnrolmentThrottle, which bounds how many run at once and how often each peer may guess.
   * @throws AuthError `no-passphrase-set` when none is set, `passphrase-mismatch` when wrong.
   */
  async verify(candidate: string): Promise<void> {
    await this.check(candidate);
  }

  private async check(candidate: string): Promise<void> {
    const encoded = await this.settings.get(PASSPHRASE_KEY);
    if (encoded === undefined) {
      throw new AuthError(
        'no-passphrase-set',
        'Passphrase is not set. Please `multipass set local.passphrase` with a trusted client.',
      );
    }
    if (!(await this.hasher.verify(candidate, encoded))) {
      throw new AuthError('passphrase-mismatch', 'Passphrase is not correct. Please try again.');
    }
  }
}
