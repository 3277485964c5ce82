/**
 * A fingerprint as the store writes it, in SQL: 64 lowercase hex digits, as text (never
 * NULL, so `NOT (...)` is exactly the other rows). Part of a released step (migration 3's
 * partial indexes), so never edited: a query reads those indexes only when its WHERE says
 * exactly this, or exactly its negation.
 */
export const WELL_FORMED_FINGERPRINT = "typeof(fingerprint) = 'text' AND length(fingerprint) = 64 AND fingerprint NOT GLOB '*[^0-9a-f]*'";

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
  {
    version: 3,
    description: 'indexes of the well-formed fingerprints and of the others, which the trust index is read from',
    // Partial indexes: one of the rows whose fingerprint is 64 lowercase hex digits as text
    // (GLOB: no character outside 0-9 and a-f), and one of all the others (normally empty).
    // SQLite checks each row when it is written, so the read at start checks nothing per row
    // and finds the odd rows without scanning the table. Only functions every SQLite has (not
    // unhex, 3.41+), so the distribution's sqlite3 shell can still edit the table.
    sql: `
      CREATE INDEX trusted_fingerprints ON trusted_certificates (fingerprint)
        WHERE ${WELL_FORMED_FINGERPRINT};
      CREATE INDEX malformed_fingerprints ON trusted_certificates (fingerprint)
        WHERE NOT (${WELL_FORMED_FINGERPRINT});`,
  },
];

/** The version a database has after every migration this code knows. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;
