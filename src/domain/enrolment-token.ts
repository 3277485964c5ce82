import type { Fingerprint } from './fingerprint.js';

/**
 * A one-time enrolment token as stored: never the token itself, only the SHA-256 of its text
 * (the text has at least 128 bits of entropy, so a fast hash is enough to make a stolen store
 * useless). The public `id` names it in lists, revocations and the audit log.
 */
export interface EnrolmentToken {
  readonly id: string;
  /** Lowercase hex SHA-256 of the token text. */
  readonly hash: string;
  /** The admin's note; a client that enrols with the token gets it as its label. */
  readonly label?: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt?: Date;
  /** The certificate that enrolled with it. */
  readonly usedBy?: Fingerprint;
  readonly revokedAt?: Date;
}

export type TokenState = 'active' | 'used' | 'revoked' | 'expired';

export function tokenState(token: EnrolmentToken, now: Date): TokenState {
  if (token.usedAt !== undefined) return 'used';
  if (token.revokedAt !== undefined) return 'revoked';
  return token.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

/** When the token stopped being usable (used, revoked or expired), or undefined while it is active. */
export function tokenEndedAt(token: EnrolmentToken, now: Date): Date | undefined {
  const state = tokenState(token, now);
  if (state === 'active') return undefined;
  return token.usedAt ?? token.revokedAt ?? token.expiresAt;
}
