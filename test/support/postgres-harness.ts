import { join } from 'node:path';
import { PostgresCertStore } from '../../src/adapters/stores/postgres/postgres-cert-store.js';
import { PostgresPool } from '../../src/adapters/stores/postgres/postgres-pool.js';
import { PostgresSettingsStore } from '../../src/adapters/stores/postgres/postgres-settings-store.js';
import { PostgresTarget } from '../../src/adapters/stores/postgres/postgres-target.js';
import { PostgresTokenStore } from '../../src/adapters/stores/postgres/postgres-token-store.js';
import type { Backoff } from '../../src/adapters/stores/postgres/postgres-trust-feed.js';
import type { TrustedCertificate } from '../../src/domain/trusted-certificate.js';
import { RecordingLoggerFake } from './fakes/recording-logger-fake.js';
import type { PostgresCluster } from './postgres-cluster.js';
import { makeTempDir } from './temp-dir.js';

/** Reconnects quickly, so that outage cases take a fraction of a second to recover. */
export const FAST_BACKOFF: Backoff = { initialMs: 50, maxMs: 400 };

/** Another logger, URL or last copy than the harness's (another host's). */
export interface OpenOptions {
  readonly logger?: RecordingLoggerFake;
  readonly url?: string;
  readonly lastCopyPath?: string;
}

interface Closable {
  load(): Promise<void>;
  close(): Promise<void>;
}

/** One case's database, and store instances over it: each one as another daemon would have (its own pool). */
export interface PostgresHarness<S extends Closable> {
  readonly database: string;
  readonly url: string;
  /** Where `open` keeps each instance's last copy (one per harness, as one host's data dir). */
  readonly lastCopyPath: string;
  readonly logger: RecordingLoggerFake;
  /** A loaded store over the case's database, as the harness's host would open it unless `options` say otherwise. */
  open(options?: OpenOptions): Promise<S>;
  /** Builds one, not loaded (it is closed at dispose). */
  build(options?: OpenOptions): S;
  create(): Promise<S>;
  reopen(): Promise<S>;
  /** The schema exists but is empty: what dropping its tables (or making it by hand) leaves. */
  corrupt(): Promise<void>;
  /** Drops the schema: an admin starting afresh. */
  erase(): Promise<void>;
  /** Inserts a certificate with no record of how it got in, as an admin with psql would. */
  plant(certificate: TrustedCertificate): Promise<void>;
  sql<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  dispose(): Promise<void>;
}

type Make<S> = (pool: PostgresPool, logger: RecordingLoggerFake, lastCopyPath: string) => S;

/**
 * A harness maker: one database of `cluster()` for all its cases (making one costs a few
 * hundred milliseconds), whose store schema is dropped at the start of each case, so that
 * every case starts from a database multipassd has never seen.
 */
export function postgresHarness<S extends Closable>(cluster: () => PostgresCluster, make: Make<S>): () => Promise<PostgresHarness<S>> {
  let shared: Promise<string> | undefined;
  return async () => {
    const pg = cluster();
    const database = await (shared ??= pg.createDatabase());
    await pg.sql(database, 'DROP SCHEMA IF EXISTS multipassd CASCADE');
    const url = pg.url(database);
    const temp = makeTempDir('mpa-pgh-');
    const lastCopyPath = join(temp.path, 'data', 'postgres-last-copy.json');
    const logger = new RecordingLoggerFake();
    const opened: Closable[] = [];
    const build = (options: OpenOptions = {}): S => {
      const own = options.logger ?? logger;
      const store = make(new PostgresPool(new PostgresTarget(options.url ?? url), own), own, options.lastCopyPath ?? lastCopyPath);
      opened.push(store);
      return store;
    };
    const open = async (options: OpenOptions = {}): Promise<S> => {
      const store = build(options);
      await store.load();
      return store;
    };
    const sql = <R extends Record<string, unknown>>(text: string, values?: unknown[]) => pg.sql<R>(database, text, values);
    return {
      database,
      url,
      lastCopyPath,
      logger,
      open,
      build,
      create: () => open(),
      reopen: () => open(),
      corrupt: async () => void (await sql('CREATE SCHEMA multipassd')),
      erase: async () => void (await sql('DROP SCHEMA IF EXISTS multipassd CASCADE')),
      plant: async (certificate) =>
        void (await sql('INSERT INTO multipassd.trusted_certificates (fingerprint, pem, added_at) VALUES ($1, $2, now())', [
          certificate.fingerprint,
          certificate.pem,
        ])),
      sql,
      async dispose() {
        await Promise.all(opened.map((store) => store.close()));
        temp.remove();
      },
    };
  };
}

export const certStoreOn = (cluster: () => PostgresCluster) =>
  postgresHarness(cluster, (pool, logger, lastCopyPath) => new PostgresCertStore(pool, logger, { lastCopyPath, backoff: FAST_BACKOFF }));

export const settingsStoreOn = (cluster: () => PostgresCluster) => postgresHarness(cluster, (pool) => new PostgresSettingsStore(pool));

export const tokenStoreOn = (cluster: () => PostgresCluster) => postgresHarness(cluster, (pool) => new PostgresTokenStore(pool));
