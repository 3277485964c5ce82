import { AuthError } from '../../../domain/auth-error.js';
import type { Logger } from '../../../ports/logger.js';
import { openSqliteDatabase, sqliteStoreError, type SqliteDatabase } from './sqlite-database.js';

export type Prepared<S> = S & { readonly db: SqliteDatabase };

/**
 * One store's connection to `<data>/multipassd.db` with its prepared statements. Opened on
 * first use (so stores can be built from a path alone) and every SQLite failure becomes a
 * `store-unavailable` AuthError naming the file.
 */
export class SqliteConnection<S> {
  private opened: Prepared<S> | undefined;
  private closed = false;

  constructor(
    private readonly filePath: string,
    private readonly logger: Logger,
    private readonly prepare: (db: SqliteDatabase) => S,
    private readonly onOpen: (connection: Prepared<S>) => void = () => undefined,
  ) {}

  /** Runs `work` on the open connection; a failure is reported as reading or writing the file. */
  use<T>(action: 'read' | 'write to', work: (connection: Prepared<S>) => T): T {
    const connection = this.open();
    try {
      return work(connection);
    } catch (error) {
      if (AuthError.is(error)) throw error;
      throw sqliteStoreError(this.filePath, action, error);
    }
  }

  open(): Prepared<S> {
    if (this.closed) throw new AuthError('store-unavailable', `The SQLite store '${this.filePath}' is closed.`);
    if (this.opened !== undefined) return this.opened;
    const db = openSqliteDatabase(this.filePath, this.logger);
    try {
      const connection: Prepared<S> = { ...this.prepare(db), db };
      this.onOpen(connection);
      this.opened = connection;
      return connection;
    } catch (error) {
      db.close();
      throw sqliteStoreError(this.filePath, 'read', error);
    }
  }

  close(): void {
    this.closed = true;
    this.opened?.db.close();
    this.opened = undefined;
  }
}
