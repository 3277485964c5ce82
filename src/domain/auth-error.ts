export type AuthErrorCode =
  | 'not-trusted'
  | 'no-passphrase-set'
  | 'passphrase-mismatch'
  | 'invalid-certificate'
  | 'invalid-setting'
  | 'setting-corrupt'
  | 'too-many-attempts'
  /** A trust-administration call from a peer that is neither root nor in the admin group (or over TCP). */
  | 'not-admin'
  | 'store-unavailable'
  /** The store's database cannot be reached now; the message is for clients, the reason in `cause`. */
  | 'store-offline';

const BRAND = Symbol.for('multipassd-auth.AuthError');

/**
 * The one error type the domain raises. Transports map `code` to a wire status and the CLI
 * maps the wire status to a message and exit code, each in a single table.
 */
export class AuthError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthError';
  }

  /** Brand check: survives duplicated module instances, unlike `instanceof` alone. */
  static is(value: unknown, code?: AuthErrorCode): value is AuthError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true &&
      (code === undefined || (value as AuthError).code === code)
    );
  }
}
