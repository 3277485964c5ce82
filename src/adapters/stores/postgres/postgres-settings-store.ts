import type { SettingsStore } from '../../../ports/settings-store.js';
import { SCHEMA } from './migrations.js';
import type { PostgresPool } from './postgres-pool.js';

/**
 * A SettingsStore in the `multipassd.settings` table, shared by every daemon of the fleet (one
 * passphrase for all hosts). Nothing is cached: every `get` reads the table, so a `set` made
 * through any host is seen at once, and settings are read rarely (`get`, `authenticate`),
 * never on every RPC. While the database cannot be reached every call fails with
 * `store-offline`; `load` does not, so that the daemon starts and serves its trusted clients.
 *
 * An emptied schema (see PostgresCertStore) reads as no settings; only `set` fills it.
 */
export class PostgresSettingsStore implements SettingsStore {
  constructor(private readonly pool: PostgresPool) {
    pool.acquire();
  }

  async load(): Promise<void> {}

  location(): string {
    return `the PostgreSQL store ${this.pool.target.describe()} (table ${SCHEMA}.settings)`;
  }

  async get(key: string): Promise<string | undefined> {
    return this.pool.useUnlessEmptied('read', undefined, async (client) => {
      const { rows } = await client.query<{ value: string }>(`SELECT value FROM ${SCHEMA}.settings WHERE key = $1`, [key]);
      return rows[0]?.value;
    });
  }

  async set(key: string, value: string): Promise<void> {
    await this.pool.use(
      'write to',
      (client) =>
        client.query(`INSERT INTO ${SCHEMA}.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
          key,
          value,
        ]),
      { initialiseEmpty: true },
    );
  }

  async delete(key: string): Promise<void> {
    await this.pool.useUnlessEmptied('write to', undefined, async (client) => {
      await client.query(`DELETE FROM ${SCHEMA}.settings WHERE key = $1`, [key]);
    });
  }

  /** Ordered by key. */
  async entries(): Promise<ReadonlyArray<readonly [string, string]>> {
    return this.pool.useUnlessEmptied<ReadonlyArray<readonly [string, string]>>('read', [], async (client) => {
      const { rows } = await client.query<{ key: string; value: string }>(`SELECT key, value FROM ${SCHEMA}.settings ORDER BY key COLLATE "C"`);
      return rows.map((row) => [row.key, row.value] as const);
    });
  }

  async close(): Promise<void> {
    await this.pool.release();
  }
}
