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
  private checking = 0;

  /**
   * @param maxConcurrentChecks each check is a deliberately costly hash; past this many at
   * once a candidate is refused rather than queued, so a flood of `authenticate` calls can
   * neither exhaust the daemon nor speed up guessing.
   */
  constructor(
    private readonly settings: SettingsStore,
    private readonly hasher: PassphraseHasher,
    private readonly maxConcurrentChecks = 4,
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
   * @throws AuthError `no-passphrase-set` when none is set, `passphrase-mismatch` when wrong,
   * `too-many-attempts` when too many checks are already running.
   */
  async verify(candidate: string): Promise<void> {
    if (this.checking >= this.maxConcurrentChecks) {
      throw new AuthError('too-many-attempts', 'Too many authentication attempts at once. Please try again later.');
    }
    this.checking += 1;
    try {
      await this.check(candidate);
    } finally {
      this.checking -= 1;
    }
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
