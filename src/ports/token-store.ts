import type { EnrolmentToken } from '../domain/enrolment-token.js';
import type { Fingerprint } from '../domain/fingerprint.js';

export const TokenStore = Symbol('TokenStore');

/** What `redeem` found: the token (as it is after the call) and whether this call used it. */
export interface Redemption {
  readonly token: EnrolmentToken;
  /** True for exactly one call per token: the one that used it. */
  readonly redeemed: boolean;
}

/**
 * One-time enrolment tokens, stored only as hashes. Every adapter passes
 * test/contract/token-store.contract.ts. Every write is durable (atomic) before it resolves.
 */
export interface TokenStore {
  /** Opens the backing data if needed. Call once before anything else. */
  load(): Promise<void>;

  /**
   * Stores a new token.
   * @throws AuthError `store-unavailable` when it cannot be written; Error when a token with
   * that id or hash is already stored.
   */
  add(token: EnrolmentToken): Promise<void>;

  /** Every token kept, in the order they were added. */
  list(): Promise<readonly EnrolmentToken[]>;

  /**
   * Uses the token whose hash is `hash`, atomically: when it is active at `at` (neither used
   * nor revoked, and `at` before its expiry) it is marked used at `at` by `by` and `redeemed`
   * is true; of any number of concurrent calls for one token, in any number of instances over
   * the same data, exactly one sees true. Otherwise the token is left as it is.
   * @returns undefined when no token has that hash.
   */
  redeem(hash: string, at: Date, by: Fingerprint): Promise<Redemption | undefined>;

  /**
   * Revokes an active (unused, unrevoked) token at `at`; any other is left as it is.
   * @returns the token as it is after the call, or undefined when no token has that id.
   */
  revoke(id: string, at: Date): Promise<EnrolmentToken | undefined>;

  /**
   * Forgets tokens that stopped being usable (used, revoked or expired) before `before`.
   * @returns how many were forgotten.
   */
  prune(before: Date): Promise<number>;

  close(): Promise<void>;
}
