import type { EnrolmentToken } from '../../../domain/enrolment-token.js';
import type { Fingerprint } from '../../../domain/fingerprint.js';
import type { Redemption, TokenStore } from '../../../ports/token-store.js';
import { errorCode } from '../../fs/error-code.js';
import { DuplicateTokenError } from '../token-rules.js';
import { SCHEMA } from './migrations.js';
import type { PostgresPool } from './postgres-pool.js';
import { TOKEN_COLUMNS, tokenOf, type TokenRow } from './postgres-records.js';

/**
 * A TokenStore in the `multipassd.enrolment_tokens` table: a token issued on any host of the
 * fleet enrols a client on any host, once. Each use is one conditional UPDATE, so of
 * concurrent uses, on any number of daemons, exactly one changes the row. An emptied schema
 * holds no tokens and is never filled by a token.
 */
export class PostgresTokenStore implements TokenStore {
  constructor(private readonly pool: PostgresPool) {
    pool.acquire();
  }

  async load(): Promise<void> {}

  async add(token: EnrolmentToken): Promise<void> {
    try {
      await this.pool.use('write to', (client) =>
        client.query(`INSERT INTO ${SCHEMA}.enrolment_tokens (id, hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
          token.id,
          token.hash,
          token.label ?? null,
          token.createdAt,
          token.expiresAt,
        ]),
      );
    } catch (error) {
      if (errorCode((error as Error).cause) === '23505') throw new DuplicateTokenError(token.id);
      throw error;
    }
  }

  async list(): Promise<readonly EnrolmentToken[]> {
    return this.pool.useUnlessEmptied<readonly EnrolmentToken[]>('read', [], async (client) =>
      (await client.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ${SCHEMA}.enrolment_tokens ORDER BY seq`)).rows.map(tokenOf),
    );
  }

  async redeem(hash: string, at: Date, by: Fingerprint): Promise<Redemption | undefined> {
    return this.pool.useUnlessEmptied<Redemption | undefined>('write to', undefined, async (client) => {
      const used = await client.query<TokenRow>(
        `UPDATE ${SCHEMA}.enrolment_tokens SET used_at = $1, used_by = $2
         WHERE hash = $3 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 RETURNING ${TOKEN_COLUMNS}`,
        [at, by, hash],
      );
      if (used.rows[0] !== undefined) return { token: tokenOf(used.rows[0]), redeemed: true };
      const found = await client.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ${SCHEMA}.enrolment_tokens WHERE hash = $1`, [hash]);
      return found.rows[0] === undefined ? undefined : { token: tokenOf(found.rows[0]), redeemed: false };
    });
  }

  async revoke(id: string, at: Date): Promise<EnrolmentToken | undefined> {
    return this.pool.useUnlessEmptied<EnrolmentToken | undefined>('write to', undefined, async (client) => {
      const revoked = await client.query<TokenRow>(
        `UPDATE ${SCHEMA}.enrolment_tokens SET revoked_at = $1
         WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 RETURNING ${TOKEN_COLUMNS}`,
        [at, id],
      );
      const row = revoked.rows[0] ?? (await client.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ${SCHEMA}.enrolment_tokens WHERE id = $1`, [id])).rows[0];
      return row === undefined ? undefined : tokenOf(row);
    });
  }

  async prune(before: Date): Promise<number> {
    return this.pool.useUnlessEmptied('write to', 0, async (client) => {
      const pruned = await client.query(`DELETE FROM ${SCHEMA}.enrolment_tokens WHERE coalesce(used_at, revoked_at, expires_at) < $1`, [before]);
      return pruned.rowCount ?? 0;
    });
  }

  async close(): Promise<void> {
    await this.pool.release();
  }
}
