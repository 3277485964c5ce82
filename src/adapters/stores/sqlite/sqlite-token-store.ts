import type { EnrolmentToken } from '../../../domain/enrolment-token.js';
import { isFingerprint, type Fingerprint } from '../../../domain/fingerprint.js';
import type { Logger } from '../../../ports/logger.js';
import type { Redemption, TokenStore } from '../../../ports/token-store.js';
import { dateOf } from '../stored-date.js';
import { SqliteConnection } from './sqlite-connection.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface Row {
  readonly id: string;
  readonly hash: string;
  readonly label: string | null;
  readonly created_at: string;
  readonly expires_at: string;
  readonly used_at: string | null;
  readonly used_by: string | null;
  readonly revoked_at: string | null;
}

const COLUMNS = 'id, hash, label, created_at, expires_at, used_at, used_by, revoked_at';

// Times are ISO 8601 UTC texts of one length, which compare as the times they stand for.
const statements = (db: SqliteDatabase) => ({
  insert: db.prepare<[string, string, string | null, string, string]>(
    'INSERT INTO enrolment_tokens (id, hash, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  ),
  all: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM enrolment_tokens ORDER BY rowid`),
  byHash: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM enrolment_tokens WHERE hash = ?`),
  byId: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM enrolment_tokens WHERE id = ?`),
  use: db.prepare<[string, string, string, string]>(
    'UPDATE enrolment_tokens SET used_at = ?, used_by = ? ' +
      'WHERE hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?',
  ),
  revoke: db.prepare<[string, string, string]>(
    'UPDATE enrolment_tokens SET revoked_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?',
  ),
  prune: db.prepare<[string]>('DELETE FROM enrolment_tokens WHERE coalesce(used_at, revoked_at, expires_at) < ?'),
});

/**
 * A TokenStore in the `enrolment_tokens` table of `<data>/multipassd.db`, on its own
 * connection. Each use of a token is one conditional UPDATE in a write transaction, so of
 * concurrent uses exactly one changes the row. The lookup is by the hash's index: its timing
 * can only tell an attacker about hashes of secrets with 160 bits of entropy, which is
 * nothing they can use. A zero-length file (a damaged store: see SqliteCertStore) holds no
 * tokens and is never made a database by a token.
 */
export class SqliteTokenStore implements TokenStore {
  private readonly connection: SqliteConnection<ReturnType<typeof statements>>;

  constructor(filePath: string, logger: Logger) {
    this.connection = new SqliteConnection(filePath, logger, statements);
  }

  async load(): Promise<void> {
    this.connection.openUnlessFaulty();
  }

  async add(token: EnrolmentToken): Promise<void> {
    await this.connection.use('write to', (c) =>
      c.insert.run(token.id, token.hash, token.label ?? null, token.createdAt.toISOString(), token.expiresAt.toISOString()),
    );
  }

  async list(): Promise<readonly EnrolmentToken[]> {
    return (await this.connection.useUnlessEmpty('read', [], (c) => c.all.all())).map(tokenOf);
  }

  async redeem(hash: string, at: Date, by: Fingerprint): Promise<Redemption | undefined> {
    const outcome = await this.connection.useUnlessEmpty('write to', undefined, (c) =>
      c.db
        .transaction(() => {
          const redeemed = c.use.run(at.toISOString(), by, hash, at.toISOString()).changes === 1;
          const row = c.byHash.get(hash);
          return row === undefined ? undefined : { row, redeemed };
        })
        .immediate(),
    );
    return outcome === undefined ? undefined : { token: tokenOf(outcome.row), redeemed: outcome.redeemed };
  }

  async revoke(id: string, at: Date): Promise<EnrolmentToken | undefined> {
    const row = await this.connection.useUnlessEmpty('write to', undefined, (c) =>
      c.db
        .transaction(() => {
          c.revoke.run(at.toISOString(), id, at.toISOString());
          return c.byId.get(id);
        })
        .immediate(),
    );
    return row === undefined ? undefined : tokenOf(row);
  }

  async prune(before: Date): Promise<number> {
    return this.connection.useUnlessEmpty('write to', 0, (c) => c.prune.run(before.toISOString()).changes);
  }

  async close(): Promise<void> {
    this.connection.close();
  }
}

/** A row as the port describes it; a time edited into something unreadable reads as long past. */
function tokenOf(row: Row): EnrolmentToken {
  const past = new Date(0);
  const usedAt = row.used_at === null ? undefined : (dateOf(row.used_at) ?? past);
  const revokedAt = row.revoked_at === null ? undefined : (dateOf(row.revoked_at) ?? past);
  return {
    id: row.id,
    hash: row.hash,
    createdAt: dateOf(row.created_at) ?? past,
    expiresAt: dateOf(row.expires_at) ?? past,
    ...(row.label === null ? {} : { label: row.label }),
    ...(usedAt === undefined ? {} : { usedAt }),
    ...(row.used_by === null || !isFingerprint(row.used_by) ? {} : { usedBy: row.used_by }),
    ...(revokedAt === undefined ? {} : { revokedAt }),
  };
}
