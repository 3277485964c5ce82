import type { Clock } from '../ports/clock.js';
import type { TokenSecrets } from '../ports/token-secrets.js';
import type { TokenStore } from '../ports/token-store.js';
import type { AuditPeer } from './audit-event.js';
import type { AuditTrail } from './audit-trail.js';
import { AuthError } from './auth-error.js';
import { tokenState, type EnrolmentToken, type TokenState } from './enrolment-token.js';
import { formatDuration } from './duration.js';
import type { Fingerprint } from './fingerprint.js';
import { normaliseLabel } from './trust-record.js';

/** What every token's text starts with, so the daemon can tell a token from a passphrase. */
export const TOKEN_PREFIX = 'mpt-';
const TOKEN_SHAPE = /^mpt-[a-z2-7]{32}$/;

export const DEFAULT_TOKEN_TTL_MS = 15 * 60_000;
export const MAX_TOKEN_TTL_MS = 7 * 24 * 60 * 60_000;
/** Short enough for tests to see a token expire; nobody else has a use for less than a minute. */
export const MIN_TOKEN_TTL_MS = 1000;
/** Used, revoked and expired tokens stay listed this long, then go at the next issue. */
export const ENDED_TOKEN_RETENTION_MS = 7 * 24 * 60 * 60_000;

/** Exactly what a wrong passphrase gets (PassphraseVault): a wrong token tells a guesser nothing more. */
export const WRONG_SECRET_MESSAGE = 'Passphrase is not correct. Please try again.';

/** Why a token was refused, for the audit log and the daemon's log only, never for the client. */
export type TokenRefusalReason = 'token-unknown' | 'token-used' | 'token-revoked' | 'token-expired';

export interface TokenRefusal {
  readonly kind: 'token-refusal';
  readonly reason: TokenRefusalReason;
  readonly tokenId?: string;
}

/** The token refusal behind an AuthError that `redeem` threw, if it was one. */
export function tokenRefusalOf(error: unknown): TokenRefusal | undefined {
  const cause = AuthError.is(error) ? (error.cause as Partial<TokenRefusal> | undefined) : undefined;
  return cause?.kind === 'token-refusal' ? (cause as TokenRefusal) : undefined;
}

/** A token as an admin sees it: never its text, nor its hash. */
export interface TokenView {
  readonly id: string;
  readonly label?: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly state: TokenState;
  readonly usedAt?: Date;
  readonly usedBy?: Fingerprint;
  readonly revokedAt?: Date;
}

export interface IssuedToken {
  /** The token's text: shown once, to the admin who asked for it, and stored nowhere. */
  readonly text: string;
  readonly view: TokenView;
  /** Why the audit line could not be written, when it could not. */
  readonly auditProblem?: string;
}

export class TokenTtlError extends Error {
  override name = 'TokenTtlError';
}

/**
 * One-time enrolment tokens: an admin issues one (`multipassd trust token`) and gives it to a
 * user, who enrols with it exactly as with the passphrase, once, before it expires. The admin
 * never shares the long-lived passphrase, and enrolment works with no passphrase set at all.
 */
export class EnrolmentTokens {
  constructor(
    private readonly store: TokenStore,
    private readonly secrets: TokenSecrets,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  /** Whether `text` has a token's shape (case and surrounding space aside): such text is never tried as a passphrase. */
  static looksLikeToken(text: string): boolean {
    return TOKEN_SHAPE.test(text.trim().toLowerCase());
  }

  /**
   * Makes and stores a token; its text is in the result and nowhere else.
   * @throws TokenTtlError when `ttlMs` is outside MIN_TOKEN_TTL_MS..MAX_TOKEN_TTL_MS.
   */
  async issue(options: { ttlMs?: number; label?: string }, actor?: AuditPeer): Promise<IssuedToken> {
    const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < MIN_TOKEN_TTL_MS || ttlMs > MAX_TOKEN_TTL_MS) {
      throw new TokenTtlError(
        `a token lives between ${formatDuration(MIN_TOKEN_TTL_MS)} and ${formatDuration(MAX_TOKEN_TTL_MS)}, not ${formatDuration(ttlMs)}`,
      );
    }
    const now = this.clock.now();
    await this.store.prune(new Date(now.getTime() - ENDED_TOKEN_RETENTION_MS));
    const text = `${TOKEN_PREFIX}${this.secrets.newSecret()}`;
    const label = normaliseLabel(options.label);
    const token: EnrolmentToken = {
      id: this.secrets.newId(),
      hash: this.secrets.digest(text),
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlMs),
      ...(label === undefined ? {} : { label }),
    };
    await this.store.add(token);
    const auditProblem = await this.audit.record({
      event: 'token.issue',
      outcome: 'ok',
      tokenId: token.id,
      expires: token.expiresAt,
      ...(label === undefined ? {} : { label }),
      ...(actor === undefined ? {} : { peer: actor }),
    });
    return { text, view: viewOf(token, now), ...(auditProblem === undefined ? {} : { auditProblem }) };
  }

  async list(): Promise<readonly TokenView[]> {
    const now = this.clock.now();
    return (await this.store.list()).map((token) => viewOf(token, now));
  }

  /**
   * Revokes an active token; a used, revoked or expired one is left as it is (revoking does
   * not untrust a client that already enrolled: `trust remove` does).
   * @returns the token after the call, and whether this call revoked it; undefined for an unknown id.
   */
  async revoke(id: string, actor?: AuditPeer): Promise<{ view: TokenView; revoked: boolean; auditProblem?: string } | undefined> {
    const now = this.clock.now();
    const before = (await this.store.list()).find((token) => token.id === id);
    if (before === undefined) return undefined;
    const after = await this.store.revoke(id, now);
    if (after === undefined) return undefined;
    const revoked = tokenState(before, now) === 'active' && after.revokedAt !== undefined;
    const auditProblem = revoked
      ? await this.audit.record({
          event: 'token.revoke',
          outcome: 'ok',
          tokenId: id,
          ...(after.label === undefined ? {} : { label: after.label }),
          ...(actor === undefined ? {} : { peer: actor }),
        })
      : undefined;
    return { view: viewOf(after, now), revoked, ...(auditProblem === undefined ? {} : { auditProblem }) };
  }

  /**
   * Uses the token for the client with certificate `by`. Exactly one of concurrent uses wins.
   * @throws AuthError `passphrase-mismatch` with the wrong-passphrase text for an unknown, used,
   * revoked or expired token (so the EnrolmentThrottle counts it as a wrong guess); its cause
   * says which (`tokenRefusalOf`).
   */
  async redeem(text: string, by: Fingerprint): Promise<EnrolmentToken> {
    const now = this.clock.now();
    const outcome = await this.store.redeem(this.secrets.digest(text.trim().toLowerCase()), now, by);
    if (outcome === undefined) throw refused('token-unknown');
    if (outcome.redeemed) return outcome.token;
    const state = tokenState(outcome.token, now);
    throw refused(state === 'active' ? 'token-used' : (`token-${state}` as TokenRefusalReason), outcome.token.id);
  }
}

function refused(reason: TokenRefusalReason, tokenId?: string): AuthError {
  const cause: TokenRefusal = { kind: 'token-refusal', reason, ...(tokenId === undefined ? {} : { tokenId }) };
  return new AuthError('passphrase-mismatch', WRONG_SECRET_MESSAGE, { cause });
}

function viewOf(token: EnrolmentToken, now: Date): TokenView {
  const { hash: _hash, ...rest } = token;
  return { ...rest, state: tokenState(token, now) };
}
