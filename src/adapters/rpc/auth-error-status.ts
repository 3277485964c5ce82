import { status } from '@grpc/grpc-js';
import type { AuthErrorCode } from '../../domain/auth-error.js';

/** The one table from domain errors to wire status codes (Multipass's choices). */
export const STATUS_FOR: Readonly<Record<AuthErrorCode, status>> = {
  'not-trusted': status.UNAUTHENTICATED,
  'invalid-certificate': status.UNAUTHENTICATED,
  'no-passphrase-set': status.FAILED_PRECONDITION,
  'passphrase-mismatch': status.INVALID_ARGUMENT,
  'invalid-setting': status.INVALID_ARGUMENT,
  // A stored value the server cannot use is the server's fault, not the caller's.
  'setting-corrupt': status.INTERNAL,
  'too-many-attempts': status.RESOURCE_EXHAUSTED,
  'store-unavailable': status.INTERNAL,
  'not-admin': status.PERMISSION_DENIED,
  // Transient, and said as it is (no server detail in it): Multipass's CLI reports UNAVAILABLE as a daemon failure (exit 3).
  'store-offline': status.UNAVAILABLE,
};
