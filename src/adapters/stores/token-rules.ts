import { timingSafeEqual } from 'node:crypto';
import { tokenEndedAt, tokenState, type EnrolmentToken } from '../../domain/enrolment-token.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { Redemption } from '../../ports/token-store.js';

/*
 * TokenStore's rules over a list of tokens, for the stores that keep the whole list (in
 * memory, or one JSON file rewritten under a lock). Each returns the new list to keep.
 */

/** A token whose id or hash is stored already: a bug (ids and secrets are random), not bad data. */
export class DuplicateTokenError extends Error {
  override name = 'DuplicateTokenError';

  constructor(id: string) {
    super(`token ${id} is already stored`);
  }
}

export function requireNew(tokens: readonly EnrolmentToken[], token: EnrolmentToken): void {
  if (tokens.some((kept) => kept.id === token.id || kept.hash === token.hash)) throw new DuplicateTokenError(token.id);
}

/**
 * The token with this hash, compared in constant time against every stored hash (there are
 * few), so the comparison says nothing about how much of a hash matched.
 */
function indexOfHash(tokens: readonly EnrolmentToken[], hash: string): number {
  const wanted = Buffer.from(hash, 'hex');
  let found = -1;
  tokens.forEach((token, index) => {
    const stored = Buffer.from(token.hash, 'hex');
    if (stored.length === wanted.length && wanted.length > 0 && timingSafeEqual(stored, wanted)) found = index;
  });
  return found;
}

export function redeemToken(
  tokens: readonly EnrolmentToken[],
  hash: string,
  at: Date,
  by: Fingerprint,
): { redemption: Redemption; redeemed: boolean; tokens: EnrolmentToken[] } | undefined {
  const index = indexOfHash(tokens, hash);
  const token = tokens[index];
  if (token === undefined) return undefined;
  if (tokenState(token, at) !== 'active') return { redemption: { token, redeemed: false }, redeemed: false, tokens: [...tokens] };
  const used: EnrolmentToken = { ...token, usedAt: at, usedBy: by };
  const next = [...tokens];
  next[index] = used;
  return { redemption: { token: used, redeemed: true }, redeemed: true, tokens: next };
}

export function revokeToken(tokens: readonly EnrolmentToken[], id: string, at: Date): { token: EnrolmentToken; tokens: EnrolmentToken[] } | undefined {
  const index = tokens.findIndex((token) => token.id === id);
  const token = tokens[index];
  if (token === undefined) return undefined;
  if (tokenState(token, at) !== 'active') return { token, tokens: [...tokens] };
  const revoked: EnrolmentToken = { ...token, revokedAt: at };
  const next = [...tokens];
  next[index] = revoked;
  return { token: revoked, tokens: next };
}

/** The tokens to keep: those still active at `before`, or that ended at or after it. */
export function pruneTokens(tokens: readonly EnrolmentToken[], before: Date): EnrolmentToken[] {
  return tokens.filter((token) => (tokenEndedAt(token, before) ?? before).getTime() >= before.getTime());
}
