/** One step of the SQLite store's schema, applied in a transaction with its version bump. */
export interface Migration {
  /** The schema version the database has once this step is applied: 1, 2, 3... in order. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Every schema step, oldest first. Append only: a released step is never edited, since
 * databases in the field are already at its version.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'trusted certificates and settings',
    sql: `
      CREATE TABLE trusted_certificates (
        fingerprint TEXT PRIMARY KEY,
        pem TEXT NOT NULL,
        added_at TEXT NOT NULL
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );`,
  },
  {
    version: 2,
    description: 'how each certificate was trusted, its label and last-seen time; one-time enrolment tokens',
    // Rows trusted before version 2 have no record of how they got in: 'file', at added_at.
    sql: `
      ALTER TABLE trusted_certificates ADD COLUMN via TEXT NOT NULL DEFAULT 'file';
      ALTER TABLE trusted_certificates ADD COLUMN uid INTEGER;
      ALTER TABLE trusted_certificates ADD COLUMN user_name TEXT;
      ALTER TABLE trusted_certificates ADD COLUMN label TEXT;
      ALTER TABLE trusted_certificates ADD COLUMN last_seen TEXT;
      CREATE TABLE enrolment_tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        label TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        used_by TEXT,
        revoked_at TEXT
      );`,
  },
];

/** The version a database has after every migration this code knows. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;
