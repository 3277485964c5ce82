import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Runs `work` on a plain better-sqlite3 connection to `path`, as an admin with the sqlite3 shell would. */
export function withRawDatabase<T>(path: string, work: (db: Database.Database) => T): T {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

export const versionRows = (path: string): unknown[] =>
  withRawDatabase(path, (db) => db.prepare('SELECT version FROM schema_version').pluck().all());
