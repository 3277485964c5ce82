import { AuthError } from '../../domain/auth-error.js';
import type { EnrolmentToken } from '../../domain/enrolment-token.js';
import { isFingerprint, type Fingerprint } from '../../domain/fingerprint.js';
import type { Redemption, TokenStore } from '../../ports/token-store.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { withFileLock } from '../fs/file-lock.js';
import { readIfPresent } from '../fs/read-if-present.js';
import { DuplicateTokenError, pruneTokens, redeemToken, requireNew, revokeToken } from './token-rules.js';
import { dateOf } from './stored-date.js';

const FILE_MODE = 0o600;
const FORMAT = 'multipassd-enrolment-tokens';

/**
 * The PEM store kind's TokenStore: `<data>/enrolment-tokens.json`, read and rewritten whole
 * (atomically, mode 0600) under a file lock for every change, so that the daemon redeeming a
 * token and an admin command issuing or revoking one never undo each other, and a token is
 * used once even across processes. Nothing is cached: tokens are read only when used or
 * listed. A file that cannot be read as tokens is never written over: every call fails with
 * `store-unavailable` naming it, until the admin moves it aside (which revokes every token).
 */
export class JsonFileTokenStore implements TokenStore {
  constructor(private readonly filePath: string) {}

  async load(): Promise<void> {}

  async add(token: EnrolmentToken): Promise<void> {
    await this.change((tokens) => {
      requireNew(tokens, token);
      return { tokens: [...tokens, token], result: undefined };
    });
  }

  async list(): Promise<readonly EnrolmentToken[]> {
    return this.read();
  }

  async redeem(hash: string, at: Date, by: Fingerprint): Promise<Redemption | undefined> {
    return this.change((tokens) => {
      const outcome = redeemToken(tokens, hash, at, by);
      return { tokens: outcome?.redeemed === true ? outcome.tokens : undefined, result: outcome?.redemption };
    });
  }

  async revoke(id: string, at: Date): Promise<EnrolmentToken | undefined> {
    return this.change((tokens) => {
      const outcome = revokeToken(tokens, id, at);
      const changed = outcome !== undefined && outcome.token !== tokens.find((token) => token.id === id);
      return { tokens: changed ? outcome.tokens : undefined, result: outcome?.token };
    });
  }

  async prune(before: Date): Promise<number> {
    return this.change((tokens) => {
      const kept = pruneTokens(tokens, before);
      return { tokens: kept.length === tokens.length ? undefined : kept, result: tokens.length - kept.length };
    });
  }

  async close(): Promise<void> {}

  /** Read, decide and (when `decide` returns new tokens) write, under the lock. */
  private change<T>(decide: (tokens: EnrolmentToken[]) => { tokens: EnrolmentToken[] | undefined; result: T }): Promise<T> {
    return this.guarded('write', () =>
      withFileLock(this.filePath, async () => {
        const { tokens, result } = decide(await this.read());
        if (tokens !== undefined) await writeFileAtomic(this.filePath, serialise(tokens), FILE_MODE);
        return result;
      }),
    );
  }

  private read(): Promise<EnrolmentToken[]> {
    return this.guarded('read', async () => {
      const text = await readIfPresent(this.filePath);
      return text === undefined ? [] : parse(text);
    });
  }

  private async guarded<T>(action: 'read' | 'write', work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (AuthError.is(error) || error instanceof DuplicateTokenError || !(error instanceof Error)) throw error;
      throw new AuthError('store-unavailable', `Cannot ${action} the enrolment tokens file '${this.filePath}': ${error.message}`, { cause: error });
    }
  }
}

function serialise(tokens: readonly EnrolmentToken[]): string {
  const entries = tokens.map((token) => ({
    id: token.id,
    sha256: token.hash,
    ...(token.label === undefined ? {} : { label: token.label }),
    created_at: token.createdAt.toISOString(),
    expires_at: token.expiresAt.toISOString(),
    ...(token.usedAt === undefined ? {} : { used_at: token.usedAt.toISOString() }),
    ...(token.usedBy === undefined ? {} : { used_by: token.usedBy }),
    ...(token.revokedAt === undefined ? {} : { revoked_at: token.revokedAt.toISOString() }),
  }));
  return `${JSON.stringify({ format: FORMAT, version: 1, tokens: entries }, null, 1)}\n`;
}

/** @throws Error naming what is wrong: the caller reports the file as unusable. */
function parse(text: string): EnrolmentToken[] {
  const document = JSON.parse(text) as { tokens?: unknown } | null;
  if (!Array.isArray(document?.tokens)) throw new Error('the file has no "tokens" list');
  return document.tokens.map((entry: unknown, index: number) => {
    const token = decode(entry);
    if (token === undefined) throw new Error(`entry ${index + 1} is not a token`);
    return token;
  });
}

function decode(entry: unknown): EnrolmentToken | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const fields = entry as Record<string, unknown>;
  const { id, sha256, label, used_by: usedBy } = fields;
  const createdAt = dateOf(fields.created_at);
  const expiresAt = dateOf(fields.expires_at);
  const usedAt = fields.used_at === undefined ? undefined : dateOf(fields.used_at);
  const revokedAt = fields.revoked_at === undefined ? undefined : dateOf(fields.revoked_at);
  if (typeof id !== 'string' || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  if (createdAt === undefined || expiresAt === undefined) return undefined;
  if ((fields.used_at !== undefined && usedAt === undefined) || (fields.revoked_at !== undefined && revokedAt === undefined)) return undefined;
  if ((label !== undefined && typeof label !== 'string') || (usedBy !== undefined && !(typeof usedBy === 'string' && isFingerprint(usedBy)))) {
    return undefined;
  }
  return {
    id,
    hash: sha256,
    createdAt,
    expiresAt,
    ...(label === undefined ? {} : { label: label as string }),
    ...(usedAt === undefined ? {} : { usedAt }),
    ...(usedBy === undefined ? {} : { usedBy: usedBy as Fingerprint }),
    ...(revokedAt === undefined ? {} : { revokedAt }),
  };
}

