/** The schema every table of the store lives in; the daemon creates it. */
export const SCHEMA = 'multipassd';

/** The channel every change to the trusted set is announced on (NOTIFY), with its new version. */
export const TRUST_CHANNEL = 'multipassd_trust';

/** A change naming more certificates than this is announced as "reload" (NOTIFY payloads stop at 8000 bytes). */
export const MAX_ANNOUNCED_FINGERPRINTS = 100;

/** The tables a store at the latest version must have: one missing means the schema is damaged. */
export const REQUIRED_TABLES = ['schema_version', 'trust_state', 'trusted_certificates', 'settings', 'enrolment_tokens'] as const;

/** One step of the PostgreSQL store's schema, applied in the transaction that bumps the version. */
export interface Migration {
  /** The schema version the database has once this step is applied: 1, 2, 3... in order. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Every schema step, oldest first. Append only: a released step is never edited, since
 * databases in the field are already at its version.
 *
 * Version 1 mirrors the SQLite store at its version 2. Every change to the set of trusted
 * fingerprints, whoever makes it (a daemon, `multipassd trust`, or an admin in psql), bumps
 * `trust_state.version` once per statement and announces it on TRUST_CHANNEL in the same
 * transaction, from statement triggers: daemons apply announced changes to their in-memory
 * index and compare versions to notice any they missed.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'trusted certificates with their records, settings, one-time enrolment tokens, change announcements',
    sql: `
      CREATE TABLE ${SCHEMA}.trusted_certificates (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        fingerprint text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
        pem text NOT NULL,
        added_at timestamptz NOT NULL,
        via text NOT NULL DEFAULT 'file',
        uid bigint,
        user_name text,
        label text,
        last_seen timestamptz
      );
      CREATE INDEX trusted_certificates_seq ON ${SCHEMA}.trusted_certificates (seq);
      CREATE TABLE ${SCHEMA}.settings (
        key text PRIMARY KEY,
        value text NOT NULL
      );
      CREATE TABLE ${SCHEMA}.enrolment_tokens (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id text PRIMARY KEY,
        hash text NOT NULL UNIQUE,
        label text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        used_by text,
        revoked_at timestamptz
      );
      CREATE TABLE ${SCHEMA}.trust_state (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        version bigint NOT NULL
      );
      INSERT INTO ${SCHEMA}.trust_state (version) VALUES (0);

      CREATE FUNCTION ${SCHEMA}.announce_trust_change(change text, fingerprints text[]) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        new_version bigint;
      BEGIN
        UPDATE ${SCHEMA}.trust_state SET version = version + 1 RETURNING version INTO new_version;
        IF change <> 'reload' AND cardinality(fingerprints) > ${MAX_ANNOUNCED_FINGERPRINTS} THEN
          change := 'reload';
        END IF;
        PERFORM pg_notify('${TRUST_CHANNEL}', json_build_object(
          'v', new_version,
          'change', change,
          'fingerprints', CASE WHEN change = 'reload' THEN NULL ELSE fingerprints END
        )::text);
      END $$;

      CREATE FUNCTION ${SCHEMA}.trust_added() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed text[];
      BEGIN
        SELECT array_agg(fingerprint) INTO changed FROM added;
        IF changed IS NOT NULL THEN
          PERFORM ${SCHEMA}.announce_trust_change('add', changed);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER trust_added AFTER INSERT ON ${SCHEMA}.trusted_certificates
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.trust_added();

      CREATE FUNCTION ${SCHEMA}.trust_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed text[];
      BEGIN
        SELECT array_agg(fingerprint) INTO changed FROM removed;
        IF changed IS NOT NULL THEN
          PERFORM ${SCHEMA}.announce_trust_change('remove', changed);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER trust_removed AFTER DELETE ON ${SCHEMA}.trusted_certificates
        REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.trust_removed();

      -- A fingerprint edited in place, or the table emptied at once: every daemon reads it all again.
      CREATE FUNCTION ${SCHEMA}.trust_reset() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ${SCHEMA}.announce_trust_change('reload', NULL);
        RETURN NULL;
      END $$;
      CREATE TRIGGER trust_rekeyed AFTER UPDATE OF fingerprint ON ${SCHEMA}.trusted_certificates
        FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.trust_reset();
      CREATE TRIGGER trust_truncated AFTER TRUNCATE ON ${SCHEMA}.trusted_certificates
        FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.trust_reset();`,
  },
];

/** The version a database has after every migration this code knows. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;
