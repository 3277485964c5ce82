import { StatusCode } from './status-code.js';
import type { AuthErrorCode } from '../../domain/auth-error.js';

/** The one table from domain errors to wire status codes (Multipass's choices). */
export const STATUS_FOR: Readonly<Record<AuthErrorCode, StatusCode>> = {
  'not-trusted': StatusCode.UNAUTHENTICATED,
  'invalid-certificate': StatusCode.UNAUTHENTICATED,
  'no-passphrase-set': StatusCode.FAILED_PRECONDITION,
  'passphrase-mismatch': StatusCode.INVALID_ARGUMENT,
  'invalid-setting': StatusCode.INVALID_ARGUMENT,
  // A stored value the server cannot use is the server's fault, not the caller's.
  'setting-corrupt': StatusCode.INTERNAL,
  'too-many-attempts': StatusCode.RESOURCE_EXHAUSTED,
  'store-unavailable': StatusCode.INTERNAL,
  'not-admin': StatusCode.PERMISSION_DENIED,
  // Transient, and said as it is (no server detail in it): Multipass's CLI reports UNAVAILABLE as a daemon failure (exit 3).
  'store-offline': StatusCode.UNAVAILABLE,
};
