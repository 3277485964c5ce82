import type { Logger } from '../ports/logger.js';
import type { PassphraseHasher } from '../ports/passphrase-hasher.js';
import type { SettingsStore } from '../ports/settings-store.js';
import { AuthError } from './auth-error.js';

/** The settings key under which the passphrase hash is kept, as Multipass names the setting. */
export const PASSPHRASE_KEY = 'local.passphrase';

/**
 * Keeps the enrolment passphrase as a salted hash and checks candidates against it.
 * The passphrase itself is never stored, logged or returned. An empty stored value means no
 * passphrase, as Multipass writes it (`local.passphrase=`) when one is cleared.
 */
export class PassphraseVault {
  constructor(
    private readonly settings: SettingsStore,
    private readonly hasher: PassphraseHasher,
    private readonly logger?: Logger,
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
    return (await this.stored()) !== undefined;
  }

  /**
   * What the admin must fix in the stored passphrase, or undefined when nothing: a stored hash
   * the hasher does not recognise (damaged, or edited by hand) means no passphrase can be
   * checked. For the daemon's log at start. Settings that cannot be read at all are reported
   * by their store, not here.
   */
  async health(): Promise<string | undefined> {
    let encoded: string | undefined;
    try {
      encoded = await this.stored();
    } catch (error) {
      if (AuthError.is(error, 'store-unavailable') || AuthError.is(error, 'store-offline')) return undefined;
      throw error;
    }
    if (encoded === undefined || this.hasher.recognises(encoded)) return undefined;
    return (
      `The passphrase hash under the key '${PASSPHRASE_KEY}' in ${this.settings.location()} is not in a format ` +
      `multipassd recognises, so no passphrase can be accepted. Set a new one with 'multipass set ${PASSPHRASE_KEY}' ` +
      'from a trusted client, or remove the key to turn enrolment off.'
    );
  }

  /**
   * @throws AuthError `no-passphrase-set` when none is set, `passphrase-mismatch` when wrong,
   * `setting-corrupt` when the stored hash is not one the hasher recognises (the admin's to
   * fix: the caller is not told their passphrase is wrong). Costly on purpose (a slow hash):
   * callers facing untrusted peers go through the EnrolmentThrottle. A right passphrase
   * checked against an outdated hash (Multipass's unsalted one, adopted from its settings)
   * replaces it with a fresh salted hash, best effort: failing to write that is logged, and
   * the check still succeeds.
   */
  async verify(candidate: string): Promise<void> {
    const encoded = await this.check(candidate);
    if (this.hasher.needsRehash(encoded)) await this.rehash(candidate, encoded);
  }

  /** The stored hash, undefined when none is set (absent or empty). */
  private async stored(): Promise<string | undefined> {
    const encoded = await this.settings.get(PASSPHRASE_KEY);
    return encoded === '' ? undefined : encoded;
  }

  /** Only over the hash just checked: a passphrase set meanwhile must not be overwritten by the old one. */
  private async rehash(candidate: string, checked: string): Promise<void> {
    try {
      const fresh = await this.hasher.hash(candidate);
      if ((await this.settings.get(PASSPHRASE_KEY)) === checked) await this.settings.set(PASSPHRASE_KEY, fresh);
    } catch (error) {
      this.logger?.warn('cannot replace the outdated passphrase hash with a salted one; it will be tried again at the next enrolment', {
        file: this.settings.location(),
        key: PASSPHRASE_KEY,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** The stored hash the candidate matched. */
  private async check(candidate: string): Promise<string> {
    const encoded = await this.stored();
    if (encoded === undefined) {
      throw new AuthError(
        'no-passphrase-set',
        'Passphrase is not set. Please `multipass set local.passphrase` with a trusted client.',
      );
    }
    if (!this.hasher.recognises(encoded)) {
      throw new AuthError(
        'setting-corrupt',
        'The passphrase stored on the server is damaged and cannot be checked. Please ask the administrator to set it again.',
      );
    }
    if (!(await this.hasher.verify(candidate, encoded))) {
      throw new AuthError('passphrase-mismatch', 'Passphrase is not correct. Please try again.');
    }
    return encoded;
  }
}
