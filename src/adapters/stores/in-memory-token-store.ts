import type { EnrolmentToken } from '../../domain/enrolment-token.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { Redemption, TokenStore } from '../../ports/token-store.js';
import { pruneTokens, redeemToken, requireNew, revokeToken } from './token-rules.js';

/** A TokenStore with no backing data: for unit tests and as the contract suite's reference. */
export class InMemoryTokenStore implements TokenStore {
  private tokens: EnrolmentToken[] = [];

  async load(): Promise<void> {}

  async add(token: EnrolmentToken): Promise<void> {
    requireNew(this.tokens, token);
    this.tokens.push(token);
  }

  async list(): Promise<readonly EnrolmentToken[]> {
    return [...this.tokens];
  }

  async redeem(hash: string, at: Date, by: Fingerprint): Promise<Redemption | undefined> {
    const outcome = redeemToken(this.tokens, hash, at, by);
    if (outcome?.redeemed === true) this.tokens = outcome.tokens;
    return outcome?.redemption;
  }

  async revoke(id: string, at: Date): Promise<EnrolmentToken | undefined> {
    const outcome = revokeToken(this.tokens, id, at);
    if (outcome !== undefined) this.tokens = outcome.tokens;
    return outcome?.token;
  }

  async prune(before: Date): Promise<number> {
    const kept = pruneTokens(this.tokens, before);
    const forgotten = this.tokens.length - kept.length;
    this.tokens = kept;
    return forgotten;
  }

  async close(): Promise<void> {}
}
