export const PassphraseHasher = Symbol('PassphraseHasher');

/**
 * Turns passphrases into self-describing salted hashes and checks them. Also checks the
 * hashes Multipass itself keeps (unsalted), so that an adopted Multipass passphrase still
 * works until it is replaced by a salted one (`needsRehash`).
 */
export interface PassphraseHasher {
  /** A fresh salt every call, so equal passphrases give different strings. Never blocks the event loop. */
  hash(passphrase: string): Promise<string>;

  /**
   * Constant-time comparison against a string made by `hash` (or a format `recognises`
   * accepts). An unrecognised or corrupt encoding verifies as `false`, never throws.
   */
  verify(passphrase: string, encoded: string): Promise<boolean>;

  /**
   * Whether `encoded` is in a format `verify` can check (within the limits it accepts). A
   * `false` from `verify` on an encoding this does not recognise says nothing about the
   * passphrase: callers use this to tell a damaged setting from a wrong passphrase.
   */
  recognises(encoded: string): boolean;

  /**
   * Whether a recognised `encoded` should be replaced by a fresh `hash` of the passphrase once
   * that passphrase has verified: a legacy (unsalted) format, or parameters other than the
   * current ones. False for what `recognises` rejects.
   */
  needsRehash(encoded: string): boolean;
}
