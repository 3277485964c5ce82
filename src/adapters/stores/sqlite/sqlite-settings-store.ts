import type { Statement } from 'better-sqlite3';
import type { Logger } from '../../../ports/logger.js';
import type { SettingsStore } from '../../../ports/settings-store.js';
import { SqliteConnection } from './sqlite-connection.js';
import type { SqliteDatabase } from './sqlite-database.js';

const statements = (db: SqliteDatabase) => ({
  get: db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck(),
  upsert: db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ),
  delete: db.prepare<[string]>('DELETE FROM settings WHERE key = ?'),
  entries: db.prepare<[], [string, string]>('SELECT key, value FROM settings ORDER BY key').raw() as Statement<[], [string, string]>,
});

/**
 * A SettingsStore in the `settings` table of `<data>/multipassd.db`, on its own connection.
 * Nothing is cached: every `get` reads the table, so another process's `set` is seen at once,
 * and settings are read rarely (`get`, `authenticate`), never on every RPC.
 *
 * A file that SqliteCertStore reports as a fault is left as it is: an empty file reads as no
 * settings (only `set` initialises it), a file that is not a database fails each call.
 */
export class SqliteSettingsStore implements SettingsStore {
  private readonly connection: SqliteConnection<ReturnType<typeof statements>>;

  /** Opens nothing until `load`, so the composition root can build it from a path alone. */
  constructor(
    private readonly filePath: string,
    logger: Logger,
  ) {
    this.connection = new SqliteConnection(filePath, logger, statements);
  }

  async load(): Promise<void> {
    this.connection.openUnlessFaulty();
  }

  location(): string {
    return `${this.filePath} (table settings)`;
  }

  async get(key: string): Promise<string | undefined> {
    return this.connection.useUnlessEmpty('read', undefined, (c) => c.get.get(key));
  }

  async set(key: string, value: string): Promise<void> {
    await this.connection.use('write to', (c) => c.upsert.run(key, value), { initialiseEmptyFile: true });
  }

  async delete(key: string): Promise<void> {
    await this.connection.useUnlessEmpty('write to', undefined, (c) => void c.delete.run(key));
  }

  /** Ordered by key. */
  async entries(): Promise<ReadonlyArray<readonly [string, string]>> {
    return this.connection.useUnlessEmpty<ReadonlyArray<readonly [string, string]>>('read', [], (c) => c.entries.all());
  }

  async close(): Promise<void> {
    this.connection.close();
  }
}
