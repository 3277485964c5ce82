import type { Statement } from 'better-sqlite3';
import { AuthError } from '../../../domain/auth-error.js';
import type { Logger } from '../../../ports/logger.js';
import type { SettingsStore } from '../../../ports/settings-store.js';
import { openSqliteDatabase, sqliteStoreError, type SqliteDatabase } from './sqlite-database.js';

interface Connection {
  readonly db: SqliteDatabase;
  readonly get: Statement<[string], string>;
  readonly upsert: Statement<[string, string]>;
  readonly delete: Statement<[string]>;
  readonly entries: Statement<[], [string, string]>;
}

/**
 * A SettingsStore in the `settings` table of `<data>/multipassd.db`, on its own connection.
 * Nothing is cached: every `get` reads the table, so another process's `set` is seen at once,
 * and settings are read rarely (`get`, `authenticate`), never on every RPC.
 */
export class SqliteSettingsStore implements SettingsStore {
  private connection: Connection | undefined;
  private closed = false;

  /** Opens nothing until `load`, so the composition root can build it from a path alone. */
  constructor(
    private readonly filePath: string,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {
    this.connect();
  }

  async get(key: string): Promise<string | undefined> {
    const connection = this.connect();
    try {
      return connection.get.get(key);
    } catch (error) {
      throw sqliteStoreError(this.filePath, 'read', error);
    }
  }

  async set(key: string, value: string): Promise<void> {
    const connection = this.connect();
    try {
      connection.upsert.run(key, value);
    } catch (error) {
      throw sqliteStoreError(this.filePath, 'write to', error);
    }
  }

  async delete(key: string): Promise<void> {
    const connection = this.connect();
    try {
      connection.delete.run(key);
    } catch (error) {
      throw sqliteStoreError(this.filePath, 'write to', error);
    }
  }

  /** Ordered by key. */
  async entries(): Promise<ReadonlyArray<readonly [string, string]>> {
    const connection = this.connect();
    try {
      return connection.entries.all();
    } catch (error) {
      throw sqliteStoreError(this.filePath, 'read', error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection?.db.close();
    this.connection = undefined;
  }

  private connect(): Connection {
    if (this.closed) throw new AuthError('store-unavailable', `The SQLite store '${this.filePath}' is closed.`);
    if (this.connection !== undefined) return this.connection;
    const db = openSqliteDatabase(this.filePath, this.logger);
    try {
      this.connection = {
        db,
        get: db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck(),
        upsert: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
        delete: db.prepare('DELETE FROM settings WHERE key = ?'),
        entries: db.prepare<[], [string, string]>('SELECT key, value FROM settings ORDER BY key').raw(),
      };
      return this.connection;
    } catch (error) {
      db.close();
      throw sqliteStoreError(this.filePath, 'read', error);
    }
  }
}
