import { AuthError } from '../../../domain/auth-error.js';
import type { Fingerprint } from '../../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../../domain/trusted-certificate.js';
import { normaliseLabel, provenanceFor, type IncomingCertificate, type Provenance, type SeenTimes, type TrustRecord } from '../../../domain/trust-record.js';
import type { CertStore } from '../../../ports/cert-store.js';
import type { Logger } from '../../../ports/logger.js';
import { canonicalCertificate } from '../../crypto/pem-certificates.js';
import { SCHEMA } from './migrations.js';
import { describeFailure } from './postgres-errors.js';
import { trustRecordOf, type RecordRow } from './postgres-records.js';
import { PostgresLastCopy } from './postgres-last-copy.js';
import { inTransaction, type PostgresPool } from './postgres-pool.js';
import type { SchemaState } from './postgres-schema.js';
import { PostgresTrustFeed, type Backoff, type TrustAnnouncement } from './postgres-trust-feed.js';

export interface PostgresCertStoreOptions {
  /** Where this host keeps its last copy of the trusted fingerprints (none: no copy). */
  readonly lastCopyPath?: string;
  readonly backoff?: Backoff;
}

/** Heartbeats closer together than this are skipped: pushed changes keep the index current meanwhile. */
const MIN_CHECK_INTERVAL_MS = 100;
/** Full reads in a row before giving up on catching a moving table (the heartbeat tries again). */
const MAX_RELOADS = 3;

const COLUMNS = 'fingerprint, pem, added_at, via, uid, user_name, label, last_seen';

/**
 * A CertStore that many daemons share: the `multipassd.trusted_certificates` table of one
 * PostgreSQL database. Each daemon keeps the trusted fingerprints in memory (`contains` is a
 * Set lookup: no query per RPC) and keeps them current from what the database pushes: every
 * change is announced with NOTIFY in the transaction that makes it (migrations.ts), so another
 * daemon's change is applied here within milliseconds. A version number tells missed
 * announcements apart: a gap, a reconnection or a heartbeat (`refresh`, every 2 s in the
 * daemon, on the listening connection) that finds another version triggers a full read.
 *
 * While the database cannot be reached the daemon keeps its copy (kept on disk too, for a
 * restart meanwhile: PostgresLastCopy) and writes fail with `store-offline`; it reconnects with
 * backoff and catches up. Never "empty" for want of a database: unreachable at start with no
 * last copy is a fault, and so is a damaged schema.
 */
export class PostgresCertStore implements CertStore {
  /** A first client of whichever host must not become the whole fleet's admin: trust starts with `multipassd trust add`. */
  readonly bootstrapAllowed = false;
  private index = new Set<Fingerprint>();
  /** trust_state.version the index stands for (plus our own writes); -1 before the first read. */
  private version = -1;
  private faultReason: string | undefined;
  private faultKind: 'damaged' | 'unreachable' | undefined;
  private readonly feed: PostgresTrustFeed;
  private readonly lastCopy: PostgresLastCopy | undefined;
  private outageSince: number | undefined;
  /** Why the listening connection last failed, for the admin. */
  private lastFailure = 'no answer';
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private checking: Promise<void> | undefined;
  private lastCheckAt = 0;
  private closed = false;

  constructor(
    private readonly pool: PostgresPool,
    private readonly logger: Logger,
    options: PostgresCertStoreOptions = {},
  ) {
    pool.acquire();
    this.feed = new PostgresTrustFeed(
      pool.target,
      logger,
      { announced: (change) => this.apply(change), connected: () => this.catchUp(), lost: (reason) => this.lost(reason) },
      options.backoff,
    );
    this.lastCopy = options.lastCopyPath === undefined ? undefined : new PostgresLastCopy(options.lastCopyPath, pool.target.describe(), logger);
  }

  async load(): Promise<void> {
    let state: SchemaState;
    try {
      state = await this.pool.prepare();
    } catch (error) {
      if (!AuthError.is(error, 'store-offline')) throw error;
      await this.startWithoutDatabase(describeFailure(this.pool.target, (error.cause as Error | undefined)?.cause ?? error));
      void this.feed.connect();
      return;
    }
    if (state.kind === 'damaged') return this.damaged(state.problem);
    if (!(await this.feed.connect())) await this.startWithoutDatabase(this.lastFailure);
    if (this.faultReason === undefined && this.index.size === 0) {
      this.logger.info(
        `the PostgreSQL store ${this.pool.target.describe()} trusts nobody yet. No client is trusted on first use with store: postgres: ` +
          "trust the first user with 'multipassd trust add <cert.pem>' on any host of the fleet",
      );
    }
  }

  fault(): string | undefined {
    return this.faultReason;
  }

  contains(fingerprint: Fingerprint): boolean {
    return this.index.has(fingerprint);
  }

  size(): number {
    return this.index.size;
  }

  /** @throws AuthError `invalid-certificate` when `pem` is not one certificate with that fingerprint. */
  async add(certificate: TrustedCertificate, provenance?: Provenance): Promise<boolean> {
    return (await this.addAll([certificate], provenance)) === 1;
  }

  /** One statement for the lot, in one transaction; nothing is written if any of them is invalid. */
  async addAll(certificates: readonly IncomingCertificate[], provenance?: Provenance): Promise<number> {
    const now = new Date();
    const seen = new Set<Fingerprint>();
    const incoming = certificates
      .map((cert) => ({ ...canonicalCertificate(cert), record: provenanceFor(cert, provenance, now), lastSeen: cert.lastSeen }))
      .filter((cert) => !seen.has(cert.fingerprint) && seen.add(cert.fingerprint));
    if (incoming.length === 0) return 0;
    const column = <T>(pick: (cert: (typeof incoming)[number]) => T) => incoming.map(pick);
    const { rows, version } = await this.pool.transaction(
      'write to',
      async (client) => {
        const inserted = await client.query<{ fingerprint: Fingerprint }>(
          `INSERT INTO ${SCHEMA}.trusted_certificates (${COLUMNS})
           SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::timestamptz[])
           ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint`,
          [
            column((cert) => cert.fingerprint),
            column((cert) => cert.pem),
            column((cert) => cert.record.at),
            column((cert) => cert.record.via),
            column((cert) => cert.record.uid ?? null),
            column((cert) => cert.record.user ?? null),
            column((cert) => cert.record.label ?? null),
            column((cert) => cert.lastSeen ?? null),
          ],
        );
        return { rows: inserted.rows, version: await currentVersion(client) };
      },
      { initialiseEmpty: true },
    );
    if (this.faultKind === 'damaged') this.healed();
    await this.applyOwn(version, rows.map((row) => row.fingerprint), 'add');
    return rows.length;
  }

  async remove(fingerprint: Fingerprint): Promise<boolean> {
    const { removed, version } = await this.pool.transaction('write to', async (client) => {
      const deleted = await client.query(`DELETE FROM ${SCHEMA}.trusted_certificates WHERE fingerprint = $1`, [fingerprint]);
      return { removed: (deleted.rowCount ?? 0) > 0, version: await currentVersion(client) };
    });
    // Ours, even if the table did not have it: the index must not keep what the database lacks.
    this.index.delete(fingerprint);
    await this.applyOwn(version, removed ? [fingerprint] : [], 'remove');
    return removed;
  }

  async list(): Promise<readonly TrustRecord[]> {
    await this.refresh();
    if (this.faultKind === 'damaged') return [];
    const rows = await this.pool.use('read', async (client) =>
      (await client.query<RecordRow>(`SELECT ${COLUMNS} FROM ${SCHEMA}.trusted_certificates ORDER BY seq`)).rows,
    );
    return rows.map(trustRecordOf);
  }

  async setLabel(fingerprint: Fingerprint, label: string | undefined): Promise<boolean> {
    if (this.faultKind === 'damaged') return false;
    return this.pool.use('write to', async (client) => {
      const updated = await client.query(`UPDATE ${SCHEMA}.trusted_certificates SET label = $1 WHERE fingerprint = $2`, [
        normaliseLabel(label) ?? null,
        fingerprint,
      ]);
      return (updated.rowCount ?? 0) > 0;
    });
  }

  /** One statement for the lot; a stored time only moves forward. */
  async recordSeen(seen: SeenTimes): Promise<void> {
    if (seen.size === 0 || this.faultKind === 'damaged') return;
    await this.pool.use('write to', (client) =>
      client.query(
        `UPDATE ${SCHEMA}.trusted_certificates AS t SET last_seen = s.at
         FROM unnest($1::text[], $2::timestamptz[]) AS s(fingerprint, at)
         WHERE t.fingerprint = s.fingerprint AND (t.last_seen IS NULL OR t.last_seen < s.at)`,
        [[...seen.keys()], [...seen.values()]],
      ),
    );
  }

  /**
   * The heartbeat: one `SELECT version` on the listening connection (skipped within 100 ms of
   * the last), and a full read only when it differs. A damaged store looks at the schema again.
   * While the database is unreachable it does nothing: the reconnection catches up. Never throws
   * for an unreachable database.
   */
  async refresh(): Promise<void> {
    if (this.closed) return;
    if (this.faultKind === 'damaged') return this.recheckDamaged();
    if (!this.feed.connected || Date.now() - this.lastCheckAt < MIN_CHECK_INTERVAL_MS) return;
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.feed.close();
    await this.reloading?.catch(() => undefined);
    await this.lastCopy?.flush();
    await this.pool.release();
  }

  private async check(): Promise<void> {
    this.lastCheckAt = Date.now();
    const rows = await this.feed.query<{ version: string }>(`SELECT version FROM ${SCHEMA}.trust_state`);
    if (rows === undefined) return;
    if (Number(rows[0]?.version) !== this.version) await this.reloadQuietly();
  }

  /** An announcement from the database: applied when it is the next version, else a full read. */
  private apply(announcement: TrustAnnouncement): void {
    if (this.closed || this.faultKind === 'damaged') return;
    const { version, change, fingerprints } = announcement;
    if (!Number.isSafeInteger(version) || change === 'reload') return void this.reloadQuietly();
    if (version <= this.version) return;
    // A gap, or a read running that this may postdate: (read) everything again.
    if (version !== this.version + 1 || this.reloading !== undefined) return void this.reloadQuietly();
    this.applyDelta(change, fingerprints);
    this.version = version;
    this.saveCopy();
  }

  /**
   * Our own write, applied at once so that `contains` agrees with it when the call resolves.
   * When changes made elsewhere came before it and their announcements are still on the way,
   * the table is read again first: a write through this daemon also shows everything
   * committed before it, as a write to the other stores does.
   */
  private async applyOwn(version: number, fingerprints: readonly Fingerprint[], change: 'add' | 'remove'): Promise<void> {
    this.applyDelta(change, fingerprints);
    if (version > this.version + 1) {
      await this.reloadQuietly();
    } else if (fingerprints.length > 0) {
      if (version === this.version + 1) this.version = version;
      this.saveCopy();
    }
  }

  private applyDelta(change: 'add' | 'remove', fingerprints: readonly Fingerprint[]): void {
    for (const fingerprint of fingerprints) {
      if (change === 'add') this.index.add(fingerprint);
      else this.index.delete(fingerprint);
    }
  }

  /** The feed's (re)connection: the schema may have been made or mended meanwhile, and anything may have changed. */
  private async catchUp(): Promise<void> {
    const state = await this.pool.prepare();
    if (state.kind === 'damaged') return this.damaged(state.problem);
    await this.reload();
    if (this.faultKind === 'unreachable') this.healed();
    if (this.outageSince !== undefined) {
      const seconds = Math.round((Date.now() - this.outageSince) / 1000);
      this.logger.info(`reconnected to the PostgreSQL store ${this.pool.target.describe()} after ${seconds} s and caught up`, {
        database: this.pool.target.describe(),
        trusted: this.index.size,
      });
      this.outageSince = undefined;
    }
  }

  /** Reads every fingerprint again; several requests while one runs make one more read. */
  private reload(): Promise<void> {
    if (this.reloading !== undefined) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      for (let round = 0; round < MAX_RELOADS; round += 1) {
        this.reloadAgain = false;
        await this.reloadOnce();
        if (!this.reloadAgain) return;
      }
    })().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reloadQuietly(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      this.logger.debug('cannot re-read the trusted certificates now', { error: causeOf(error) });
    }
  }

  /**
   * One consistent snapshot (REPEATABLE READ) of the version and the fingerprints. Taken as it
   * is, even at a lower version (a restored backup), unless announcements were applied while it
   * was read: they are newer, so it is read again.
   */
  private async reloadOnce(): Promise<void> {
    const before = this.version;
    const snapshot = await this.pool.use('read', (client) =>
      inTransaction(client, async () => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const version = await currentVersion(client);
        const rows = (await client.query<{ fingerprint: Fingerprint }>(`SELECT fingerprint FROM ${SCHEMA}.trusted_certificates`)).rows;
        return { version, fingerprints: new Set(rows.map((row) => row.fingerprint)) };
      }),
    );
    if (this.version !== before && snapshot.version < this.version) {
      this.reloadAgain = true;
      return;
    }
    this.index = snapshot.fingerprints;
    this.version = snapshot.version;
    this.saveCopy();
    this.logger.debug(`read ${this.index.size} trusted certificate(s) from the PostgreSQL store`, {
      database: this.pool.target.describe(),
      certificates: this.index.size,
      version: this.version,
    });
  }

  /** Unreachable at load: the last copy if this host has one, else a fault (never "empty"). */
  private async startWithoutDatabase(reason: string): Promise<void> {
    if (this.version >= 0 || this.faultReason !== undefined) return;
    const copy = await this.lastCopy?.read();
    if (copy === undefined) {
      this.faultKind = 'unreachable';
      this.faultReason =
        `Cannot reach the PostgreSQL store ${this.pool.target.describe()} (${reason}) and this host has no copy of it: ` +
        'nobody is trusted until it answers. multipassd keeps trying; check the database, the network and postgres_url.';
      return;
    }
    this.index = new Set(copy.fingerprints);
    this.version = copy.version;
    this.logger.warn(
      `cannot reach the PostgreSQL store ${this.pool.target.describe()} (${reason}): trusting the ${copy.fingerprints.size} certificate(s) ` +
        `of this host's last copy (from ${copy.savedAt.toISOString()}) until it answers; enrolments are refused meanwhile`,
      { file: this.lastCopy?.path },
    );
  }

  private lost(reason: string): void {
    this.lastFailure = reason;
    if (this.closed || this.outageSince !== undefined) return;
    this.outageSince = Date.now();
    if (this.version < 0) return; // not loaded yet: startWithoutDatabase says what happens
    this.logger.warn(
      `lost the connection to the PostgreSQL store ${this.pool.target.describe()} (${reason}): trusting the ${this.index.size} ` +
        'certificate(s) known until it is back; enrolments and other changes are refused meanwhile. Reconnecting.',
      { database: this.pool.target.describe() },
    );
  }

  private damaged(problem: string): void {
    this.index = new Set();
    this.version = -1;
    this.faultKind = 'damaged';
    this.faultReason =
      `${problem}: nobody is trusted until it is mended. Restore the database from a backup, or drop the schema to start ` +
      "afresh (DROP SCHEMA multipassd CASCADE); 'multipassd trust add <cert.pem>' also starts afresh over an empty schema.";
  }

  private healed(): void {
    this.faultKind = undefined;
    this.faultReason = undefined;
    if (!this.feed.connected) void this.feed.connect();
  }

  private async recheckDamaged(): Promise<void> {
    let state: SchemaState;
    try {
      state = await this.pool.prepare();
    } catch (error) {
      if (AuthError.is(error, 'store-offline')) return;
      throw error;
    }
    if (state.kind === 'damaged') return this.damaged(state.problem);
    this.faultKind = undefined;
    this.faultReason = undefined;
    if (this.feed.connected) await this.reload();
    else await this.feed.connect();
  }

  private saveCopy(): void {
    if (this.version >= 0) this.lastCopy?.save(this.version, this.index);
  }
}

async function currentVersion(client: { query: (text: string) => Promise<{ rows: Array<{ version: string }> }> }): Promise<number> {
  const { rows } = await client.query(`SELECT version FROM ${SCHEMA}.trust_state`);
  return Number(rows[0]?.version ?? -1);
}

/** The admin's reason carried by a `store-offline` error, or the error itself. */
function causeOf(error: unknown): string {
  const cause = AuthError.is(error) && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
