import type { ClientBase } from 'pg';
import { AuthError } from '../../../domain/auth-error.js';
import type { Logger } from '../../../ports/logger.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, REQUIRED_TABLES, SCHEMA } from './migrations.js';
import type { PostgresTarget } from './postgres-target.js';

/**
 * What the store's schema is like: `ready` (at the latest version), or `damaged`, with what
 * is wrong for the admin. `emptied`: the schema exists but holds nothing at all (its tables
 * were dropped, or it was made by hand): an explicit write may create the tables, since there
 * is nothing to lose; any other damage is never written over.
 */
export type SchemaState =
  | { readonly kind: 'ready' }
  | { readonly kind: 'damaged'; readonly problem: string; readonly emptied: boolean };

export const READY: SchemaState = { kind: 'ready' };

interface Inspection {
  readonly exists: boolean;
  /** undefined when there is no schema_version table; 0 when it is empty. */
  readonly version: number | undefined;
  readonly tables: ReadonlySet<string>;
  /** Tables, views, sequences, functions, types...: anything at all in the schema. */
  readonly objects: number;
}

/**
 * Creates the schema on a fresh database and migrates an older one, under a transaction-scoped
 * advisory lock, so that daemons starting together never race: the second waits, then finds
 * the work done. A schema already at the latest version is only read (no lock, no write), so a
 * role that may not create anything can still use a prepared database.
 * @throws AuthError `store-unavailable` for a schema newer than this multipassd knows, which
 * it never touches; pg's errors otherwise (the caller maps them).
 */
export async function prepareSchema(
  client: ClientBase,
  target: PostgresTarget,
  logger: Logger,
  options: { readonly initialiseEmpty?: boolean } = {},
): Promise<SchemaState> {
  const first = judge(await inspect(client), target, options);
  if (first !== 'migrate') return first;
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('multipassd schema'))");
    const inspection = await inspect(client);
    const verdict = judge(inspection, target, options);
    if (verdict !== 'migrate') {
      await client.query('ROLLBACK');
      return verdict;
    }
    const applied = await migrate(client, inspection);
    await client.query('COMMIT');
    for (const migration of applied) {
      logger.info(`migrated the PostgreSQL store ${target.describe()} to schema version ${migration.version}: ${migration.description}`, {
        database: target.describe(),
        version: migration.version,
      });
    }
    return READY;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Ready, damaged, or work to do under the lock. */
function judge(inspection: Inspection, target: PostgresTarget, options: { readonly initialiseEmpty?: boolean }): SchemaState | 'migrate' {
  const where = `The schema '${SCHEMA}' of the PostgreSQL store ${target.describe()}`;
  if (!inspection.exists) return 'migrate';
  if (inspection.version === undefined) {
    if (inspection.objects > 0) {
      return {
        kind: 'damaged',
        problem: `${where} holds tables but no schema_version: it is not a multipassd store, and is left as it is`,
        emptied: false,
      };
    }
    return options.initialiseEmpty === true ? 'migrate' : { kind: 'damaged', problem: `${where} exists but is empty`, emptied: true };
  }
  if (inspection.version > LATEST_SCHEMA_VERSION) {
    throw new AuthError(
      'store-unavailable',
      `${where} has schema version ${inspection.version}, newer than version ${LATEST_SCHEMA_VERSION} that this multipassd knows. ` +
        'Upgrade multipassd on this host, or restore a backup made by this version.',
    );
  }
  if (inspection.version < LATEST_SCHEMA_VERSION) return 'migrate';
  const missing = REQUIRED_TABLES.filter((table) => !inspection.tables.has(table));
  if (missing.length > 0) {
    return { kind: 'damaged', problem: `${where} lacks the table(s) ${missing.join(', ')}`, emptied: false };
  }
  return READY;
}

async function inspect(client: ClientBase): Promise<Inspection> {
  const { rows } = await client.query<{ exists: boolean; objects: string }>(
    `SELECT to_regnamespace($1) IS NOT NULL AS exists,
            (SELECT count(*) FROM pg_class c WHERE c.relnamespace = to_regnamespace($1))
          + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = to_regnamespace($1)) AS objects`,
    [SCHEMA],
  );
  if (rows[0]?.exists !== true) return { exists: false, version: undefined, tables: new Set(), objects: 0 };
  const tables = new Set(
    (
      await client.query<{ name: string }>("SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = to_regnamespace($1) AND c.relkind = 'r'", [
        SCHEMA,
      ])
    ).rows.map((row) => row.name),
  );
  let version: number | undefined;
  if (tables.has('schema_version')) {
    const stored = (await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${SCHEMA}.schema_version`)).rows[0]?.version;
    version = stored ?? 0;
  }
  return { exists: true, version, tables, objects: Number(rows[0].objects) };
}

/** Every step after the inspected version, with its bump, in the caller's transaction. */
async function migrate(client: ClientBase, inspection: Inspection): Promise<typeof MIGRATIONS> {
  if (!inspection.exists) await client.query(`CREATE SCHEMA ${SCHEMA}`);
  if (inspection.version === undefined) await client.query(`CREATE TABLE ${SCHEMA}.schema_version (version integer NOT NULL)`);
  const current = inspection.version ?? 0;
  const steps = MIGRATIONS.filter((migration) => migration.version > current);
  for (const migration of steps) {
    await client.query(migration.sql);
    await client.query(`DELETE FROM ${SCHEMA}.schema_version`);
    await client.query(`INSERT INTO ${SCHEMA}.schema_version (version) VALUES ($1)`, [migration.version]);
  }
  return steps;
}
