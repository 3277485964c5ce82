import { setTimeout as sleep } from 'node:timers/promises';
import { AuthError } from '../../../domain/auth-error.js';
import type { Logger } from '../../../ports/logger.js';
import { errorCode } from '../../fs/file-lock.js';
import { BUSY_TIMEOUT_MS, openSqliteDatabase, sqliteStoreError, storeFaultOf, type OpenOptions, type SqliteDatabase } from './sqlite-database.js';

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

  /**
   * Runs `work` on the open connection; a failure is reported as reading or writing the file.
   * While another process holds the write lock, `work` fails at once (busy timeout 0) and is
   * tried again after a pause, for up to {@link BUSY_TIMEOUT_MS} in all: the event loop, and
   * every other client, go on meanwhile. So `work` must be one statement or one transaction,
   * which SQLite leaves undone when it reports busy.
   */
  async use<T>(action: 'read' | 'write to', work: (connection: Prepared<S>) => T, options: OpenOptions = {}): Promise<T> {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let pauseMs = 2; ; pauseMs = Math.min(pauseMs * 2, 50)) {
      const connection = this.open(options);
      try {
        return work(connection);
      } catch (error) {
        if (AuthError.is(error)) throw error;
        if (!isBusy(error) || Date.now() >= deadline) throw sqliteStoreError(this.filePath, action, error);
      }
      await sleep(pauseMs + Math.random() * pauseMs);
    }
  }

  /**
   * Like `use`, but a file that exists and is empty (which only an explicit write makes a
   * database, see OpenOptions) reads as holding nothing: `empty`.
   */
  async useUnlessEmpty<T>(action: 'read' | 'write to', empty: T, work: (connection: Prepared<S>) => T): Promise<T> {
    try {
      return await this.use(action, work);
    } catch (error) {
      if (storeFaultOf(error)?.empty === true) return empty;
      throw error;
    }
  }

  /**
   * Opens the connection now, for a store that shares the file with SqliteCertStore: a file
   * that is not a store is that store's to report (once), and here only means "not opened yet".
   */
  openUnlessFaulty(): void {
    try {
      this.open();
    } catch (error) {
      if (storeFaultOf(error) === undefined) throw error;
    }
  }

  open(options: OpenOptions = {}): Prepared<S> {
    if (this.closed) throw new AuthError('store-unavailable', `The SQLite store '${this.filePath}' is closed.`);
    if (this.opened !== undefined) return this.opened;
    const db = openSqliteDatabase(this.filePath, this.logger, options);
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

function isBusy(error: unknown): boolean {
  return errorCode(error)?.startsWith('SQLITE_BUSY') === true;
}
