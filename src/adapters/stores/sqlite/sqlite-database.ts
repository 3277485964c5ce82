import type Database from 'better-sqlite3';
import { closeSync, fchmodSync, lstatSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { AuthError } from '../../../domain/auth-error.js';
import type { Logger } from '../../../ports/logger.js';
import { ensureDirSync, PRIVATE_DIR_MODE } from '../../fs/atomic-write.js';
import { errorCode } from '../../fs/file-lock.js';
import { CREATE_NEW, refuseLink } from '../../fs/no-follow.js';
import { lazyPackage } from '../../system/lazy-package.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';

const betterSqlite3 = lazyPackage<typeof Database>('better-sqlite3');

/**
 * The native module where better-sqlite3's build puts it, passed as `nativeBinding`: left to
 * itself, better-sqlite3 finds it through the `bindings` package, which loads more modules and
 * tries a dozen paths (about 10 ms of every SQLite daemon's start). Where the file is not
 * there (an unusual build), better-sqlite3 searches as usual.
 */
let nativeBinding: { nativeBinding?: string } | undefined;
function nativeBindingOption(): { nativeBinding?: string } {
  if (nativeBinding !== undefined) return nativeBinding;
  try {
    nativeBinding = { nativeBinding: createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node') };
  } catch {
    nativeBinding = {};
  }
  return nativeBinding;
}

export type SqliteDatabase = Database.Database;

/** The page cache of each connection, in KiB (negative). */
const CACHE_SIZE = -2000;

/** The database says who is trusted: only its owner may read or write it. */
const FILE_MODE = 0o600;

/**
 * How long a write waits in all for another connection's write lock before failing. The
 * daemon and an offline `multipassd trust add` write the same file; their transactions take
 * milliseconds, so waiting is always better than failing. Only opening a new file waits
 * inside SQLite (synchronously, once); afterwards the connection's own busy timeout is 0 and
 * SqliteConnection waits between attempts without blocking the event loop.
 */
export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /**
   * Create the schema in a file that exists but is empty. Only a write that trusts someone
   * explicitly (an admin's `trust add`, an enrolment, a `set`) may: an empty file found at
   * start is a damaged store to report, not a fresh one to initialise (see `storeFaultOf`).
   */
  readonly initialiseEmptyFile?: boolean;
}

/** The cause's code for a file that exists but holds zero bytes. */
const EMPTY_FILE = 'EMPTY_FILE';

/**
 * Opens (creating if missing) the SQLite store at `path` and brings its schema up to
 * {@link LATEST_SCHEMA_VERSION}. WAL with `synchronous = FULL`: a commit has reached the disk
 * when it returns, so a client whose `authenticate` succeeded stays trusted after a SIGKILL or
 * a power cut. The file gets mode 0600 and missing parent directories 0700.
 * @throws AuthError `store-unavailable` when the file cannot be opened, is empty (unless
 * `initialiseEmptyFile`), is not a SQLite database, or has a schema newer than this code
 * knows. Such a file is left as it was.
 */
export function openSqliteDatabase(path: string, logger: Logger, options: OpenOptions = {}): SqliteDatabase {
  if (options.initialiseEmptyFile !== true) refuseEmptyFile(path);
  createPrivately(path);
  let db: SqliteDatabase;
  try {
    db = new (betterSqlite3())(path, { timeout: BUSY_TIMEOUT_MS, ...nativeBindingOption() });
  } catch (error) {
    throw sqliteStoreError(path, 'open', error);
  }
  try {
    // Reads only, before anything that writes (WAL changes the header): a file we refuse stays untouched.
    requireKnownVersion(path, readSchemaVersion(db));
    const journal = enableWal(db);
    if (journal !== 'wal') {
      logger.warn(`the SQLite store '${path}' cannot use WAL here and uses journal mode ${String(journal)}`, { file: path, journal });
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // SQLite's own default page cache (2 MB), where better-sqlite3 builds with 16 MB: reading
    // the trusted fingerprints at start passes once over an index (7 MB at 100,000
    // certificates), whose pages would otherwise stay resident for nothing (about 7 MB of the
    // daemon's memory). The daemon writes a row at a time; only a bulk copy of 100,000
    // (migrate-store) is slower for it, by about a fifth (0.9 s).
    db.pragma(`cache_size = ${CACHE_SIZE}`);
    migrate(db, path, logger);
    // From here on a lock held by another process is waited for between attempts, never inside a call.
    db.pragma('busy_timeout = 0');
    return db;
  } catch (error) {
    db.close();
    throw AuthError.is(error) ? error : sqliteStoreError(path, 'open', error);
  }
}

/**
 * What is wrong with a store file that exists but cannot be read as a store (CertStore's
 * `fault()`), or undefined for any other failure, which is an error to raise. `empty`: the
 * file has zero bytes, so an explicit write may initialise it (there is nothing to lose).
 */
export function storeFaultOf(error: unknown): { problem: string; empty: boolean } | undefined {
  const cause = AuthError.is(error, 'store-unavailable') ? error.cause : undefined;
  const code = errorCode(cause);
  if (code === EMPTY_FILE) return { problem: 'exists but is empty', empty: true };
  const problem = code === undefined ? undefined : FAULT_PROBLEMS[code.split('_').slice(0, 2).join('_')];
  return problem === undefined ? undefined : { problem: `${problem} (${describe(cause)})`, empty: false };
}

const FAULT_PROBLEMS: Readonly<Record<string, string>> = {
  SQLITE_NOTADB: 'is not a SQLite database',
  SQLITE_CORRUPT: 'is corrupt',
  SQLITE_CANTOPEN: 'exists but cannot be opened',
};

/** An empty file is what a truncated database looks like; SQLite would read it as a new one. */
function refuseEmptyFile(path: string): void {
  let size: number | undefined;
  try {
    // lstat: a link here is refused as such when the file is created, not read through.
    const info = lstatSync(path);
    if (info.isFile()) size = info.size;
  } catch {
    return; // missing (a fresh install) or unreadable: opening it reports what is wrong
  }
  if (size !== 0) return;
  const cause = Object.assign(new Error('the file is empty'), { code: EMPTY_FILE });
  throw new AuthError(
    'store-unavailable',
    `Cannot open the SQLite store '${path}': the file exists but is empty. Restore it from a backup, or delete it to start afresh`,
    { cause },
  );
}

/** Wraps a database failure for the port: names the file and says what went wrong in words. */
export function sqliteStoreError(path: string, action: 'open' | 'read' | 'write to', error: unknown): AuthError {
  return new AuthError('store-unavailable', `Cannot ${action} the SQLite store '${path}': ${describe(error)}`, { cause: error });
}

/** The schema version recorded in the database; 0 for a fresh file or an empty `schema_version`. */
function readSchemaVersion(db: SqliteDatabase): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (table === undefined) return 0;
  const version = db.prepare('SELECT max(version) FROM schema_version').pluck().get();
  if (version === null) return 0;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new Error(`the schema_version table holds ${JSON.stringify(version)}, not a version number`);
  }
  return version;
}

/**
 * Each step and its version bump commit together under BEGIN IMMEDIATE, which takes the write
 * lock before reading the version: of two processes opening a fresh file at once, the second
 * waits, then sees the step done and skips it.
 */
function migrate(db: SqliteDatabase, path: string, logger: Logger): void {
  if (readSchemaVersion(db) === LATEST_SCHEMA_VERSION) return;
  for (const migration of MIGRATIONS) {
    const applied = db
      .transaction(() => {
        const current = readSchemaVersion(db);
        requireKnownVersion(path, current);
        if (current >= migration.version) return false;
        db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
        db.exec(migration.sql);
        db.exec('DELETE FROM schema_version');
        db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(migration.version);
        return true;
      })
      .immediate();
    if (applied) {
      logger.info(`migrated the SQLite store '${path}' to schema version ${migration.version}: ${migration.description}`, {
        file: path,
        version: migration.version,
      });
    }
  }
}

/**
 * SQLite does not call the busy handler when switching to WAL: when several processes open a
 * new file at the same moment, all but one get SQLITE_BUSY at once. So wait here, as the busy
 * timeout would. Only a file not yet in WAL mode gets this far.
 */
function enableWal(db: SqliteDatabase): unknown {
  if (db.pragma('journal_mode', { simple: true }) === 'wal') return 'wal';
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pauseMs = 2; ; pauseMs = Math.min(pauseMs * 2, 100)) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true });
    } catch (error) {
      if (!errorCode(error)?.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw error;
      // Opening is synchronous (better-sqlite3), so the pause is too.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs + Math.random() * pauseMs);
    }
  }
}

/** Guessing at a newer schema could drop a newer daemon's trust decisions: refuse instead. */
function requireKnownVersion(path: string, version: number): void {
  if (version > LATEST_SCHEMA_VERSION) {
    throw new AuthError(
      'store-unavailable',
      `The SQLite store '${path}' has schema version ${version}, newer than version ${LATEST_SCHEMA_VERSION} that this multipassd knows. ` +
        'Upgrade multipassd, or restore a backup made by this version.',
    );
  }
}

/**
 * Creates missing parent directories (0700) and an empty file (0600) before SQLite opens it,
 * since SQLite would create the file with the umask's mode. An empty file is an empty database.
 * The journal files SQLite creates next to it copy the file's mode. SQLite opens the file and
 * its journals by name, following links: a link at any of those names is refused first.
 */
function createPrivately(path: string): void {
  try {
    ensureDirSync(dirname(path), PRIVATE_DIR_MODE);
    // Links only: anything else in the way (a directory, say) SQLite itself reports, as a store fault.
    for (const name of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) refuseLink(name);
    const fd = openSync(path, CREATE_NEW, FILE_MODE);
    try {
      if (process.platform !== 'win32') fchmodSync(fd, FILE_MODE);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return;
    throw sqliteStoreError(path, 'open', error);
  }
}

const SQLITE_REASONS: Readonly<Record<string, string>> = {
  SQLITE_NOTADB: 'the file is not a SQLite database. Move it aside, or point multipassd at another data directory',
  SQLITE_CORRUPT: 'the database file is corrupt. Restore it from a backup',
  SQLITE_BUSY: 'another process holds the database locked',
  SQLITE_CANTOPEN: 'the file cannot be opened (is it a directory, or is its directory missing or unreadable?)',
  SQLITE_READONLY: 'the file or its directory is read-only',
  SQLITE_FULL: 'the disk is full',
};

function describe(error: unknown): string {
  const code = errorCode(error);
  const base = code === undefined ? undefined : code.split('_').slice(0, 2).join('_');
  const reason = base === undefined ? undefined : SQLITE_REASONS[base];
  const message = error instanceof Error ? error.message : String(error);
  return reason === undefined ? message : `${reason} (${code}: ${message})`;
}
