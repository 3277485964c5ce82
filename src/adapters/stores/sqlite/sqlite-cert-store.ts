import { setTimeout as sleep } from 'node:timers/promises';
import { isFingerprint, type Fingerprint } from '../../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../../domain/trusted-certificate.js';
import {
  isTrustVia,
  normaliseLabel,
  provenanceFor,
  type IncomingCertificate,
  type Provenance,
  type SeenTimes,
  type TrustRecord,
} from '../../../domain/trust-record.js';
import type { CertStore } from '../../../ports/cert-store.js';
import type { Logger } from '../../../ports/logger.js';
import { canonicalCertificate } from '../../crypto/pem-certificates.js';
import { fileSignature } from '../../fs/file-signature.js';
import { FingerprintOverlay } from '../fingerprint-overlay.js';
import { FingerprintTable } from '../fingerprint-table.js';
import { storeFaultMessage } from '../store-fault.js';
import { SqliteConnection, type Prepared } from './sqlite-connection.js';
import { storeFaultOf, type SqliteDatabase } from './sqlite-database.js';
import { WELL_FORMED_FINGERPRINT } from './migrations.js';
import { dateOf } from '../stored-date.js';

interface Row {
  readonly fingerprint: string;
  readonly pem: string;
}

interface RecordRow extends Row {
  readonly added_at: string;
  readonly via: string;
  readonly uid: number | null;
  readonly user_name: string | null;
  readonly label: string | null;
  readonly last_seen: string | null;
}

/** added_at, via, uid, user_name, label, last_seen. */
type RecordValues = [string, string, number | null, string | null, string | null, string | null];
type InsertValues = [string, string, ...RecordValues];

/**
 * What the index is read from (see `fingerprints` below), and the rows left out of it (see
 * `malformed`): each reads one of migration 3's partial indexes. Exported for a test of their
 * query plans.
 */
export const READ_FINGERPRINTS = `SELECT CAST(group_concat(unhex(fingerprint), '') AS BLOB) FROM trusted_certificates WHERE ${WELL_FORMED_FINGERPRINT}`;
/**
 * The same bytes from a database whose text is UTF-16 (made by another tool: this daemon makes
 * UTF-8 ones), where group_concat would read each digest's bytes as UTF-16 text and re-encode
 * them. Decoding the joined hex text instead is encoding-proof, and about 40 ms slower at
 * 100,000 certificates.
 */
export const READ_FINGERPRINTS_ANY_ENCODING = `SELECT unhex(group_concat(fingerprint, '')) FROM trusted_certificates WHERE ${WELL_FORMED_FINGERPRINT}`;
export const READ_MALFORMED = `SELECT fingerprint FROM trusted_certificates WHERE NOT (${WELL_FORMED_FINGERPRINT})`;

const statements = (db: SqliteDatabase) => ({
  insert: db.prepare<InsertValues>(
    'INSERT INTO trusted_certificates (fingerprint, pem, added_at, via, uid, user_name, label, last_seen) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING',
  ),
  delete: db.prepare<[string]>('DELETE FROM trusted_certificates WHERE fingerprint = ?'),
  // The index holds fingerprints only: what the trust check needs, and all that is read at
  // start. They come from the partial index of the well-formed ones (migration 3), which
  // SQLite decodes (`unhex`) and joins into the digests' bytes for a FingerprintTable:
  // nothing is checked per row (SQLite did when writing it), and no string per row, nor a
  // hex text of them all, reaches JavaScript. The other rows, to warn about, come from the
  // partial index of the malformed ones, normally empty.
  fingerprints: db
    .prepare<[], Buffer | null>(db.pragma('encoding', { simple: true }) === 'UTF-8' ? READ_FINGERPRINTS : READ_FINGERPRINTS_ANY_ENCODING)
    .pluck(),
  malformed: db.prepare<[], unknown>(READ_MALFORMED).pluck(),
  records: db.prepare<[], RecordRow>(
    'SELECT fingerprint, pem, added_at, via, uid, user_name, label, last_seen FROM trusted_certificates ORDER BY rowid',
  ),
  setLabel: db.prepare<[string | null, string]>('UPDATE trusted_certificates SET label = ? WHERE fingerprint = ?'),
  // ISO 8601 UTC texts of one length compare as the times they stand for.
  seen: db.prepare<[string, string, string]>(
    'UPDATE trusted_certificates SET last_seen = ? WHERE fingerprint = ? AND (last_seen IS NULL OR last_seen < ?)',
  ),
  dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
});

type Connection = Prepared<ReturnType<typeof statements>>;

/** What the trust check reads: a Set while faulty (empty), else the table read with our own writes on top. */
interface Index {
  has(fingerprint: Fingerprint): boolean;
  add(fingerprint: Fingerprint): void;
  delete(fingerprint: Fingerprint): void;
  readonly size: number;
}

/**
 * An empty file may be one another process has just created and is about to fill with the
 * schema: look again once, this much later, before calling it a fault.
 */
const EMPTY_FILE_RECHECK_MS = 100;

/**
 * A CertStore in the `trusted_certificates` table of `<data>/multipassd.db`. Lookups use an
 * in-memory index, so no SQL runs per RPC. `refresh` costs one `PRAGMA data_version`, which
 * changes only when another connection (another process, or another store instance) has
 * committed, and reloads the index only then.
 *
 * A file that exists but is empty, or is not a database, is a fault (see CertStore): the
 * store opens nothing and trusts nobody, and never turns such a file into a fresh database on
 * its own. Only `add` does, on an empty file (it holds nothing to lose): that is an explicit
 * act of trust, an admin's `multipassd trust add` or an enrolment with the admin's passphrase.
 */
export class SqliteCertStore implements CertStore {
  private index: Index = new Set<Fingerprint>();
  private readonly connection: SqliteConnection<ReturnType<typeof statements>>;
  /** `data_version` when the index was last read: the index matches the table as of then, plus our own writes. */
  private indexedVersion = -1;
  private faultReason: string | undefined;
  /** The file's identity when the fault was found: refresh() looks again only once it changes. */
  private faultSignature: string | undefined;
  private faultIsEmptyFile = false;

  /** Opens nothing until `load`, so the composition root can build it from a path alone. */
  constructor(
    private readonly filePath: string,
    private readonly logger: Logger,
  ) {
    this.connection = new SqliteConnection(filePath, logger, statements, (connection) => this.reload(connection));
  }

  async load(): Promise<void> {
    await this.openOrFault();
    if (this.faultReason !== undefined && this.faultIsEmptyFile) {
      await sleep(EMPTY_FILE_RECHECK_MS);
      await this.openOrFault();
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

  /**
   * One transaction for the lot; nothing is written if any of them is invalid. Certificates
   * are stored in canonical armour, as the PEM file store does.
   * @throws AuthError `invalid-certificate` as `add` does.
   */
  async addAll(certificates: readonly IncomingCertificate[], provenance?: Provenance): Promise<number> {
    const now = new Date();
    const incoming = certificates.map((cert) => ({ ...canonicalCertificate(cert), values: insertValues(cert, provenance, now) }));
    if (incoming.length === 0) return 0;
    const inserted = await this.connection.use(
      'write to',
      (c) =>
        c.db
          .transaction(() => incoming.filter((cert) => c.insert.run(cert.fingerprint, cert.pem, ...cert.values).changes === 1))
          .immediate(),
      { initialiseEmptyFile: true },
    );
    this.faultReason = undefined;
    for (const { fingerprint } of inserted) this.index.add(fingerprint);
    await this.catchUpAfterWrite();
    return inserted.length;
  }

  /** @throws AuthError `store-unavailable` while `fault()` is set: there is nothing it could remove. */
  async remove(fingerprint: Fingerprint): Promise<boolean> {
    const removed = await this.connection.use('write to', (c) => c.delete.run(fingerprint).changes > 0);
    this.index.delete(fingerprint);
    await this.catchUpAfterWrite();
    return removed;
  }

  async list(): Promise<readonly TrustRecord[]> {
    await this.refresh();
    if (this.faultReason !== undefined) return [];
    const rows = await this.connection.use('read', (c) => c.records.all());
    return rows.filter((row) => isFingerprint(row.fingerprint)).map(recordOf);
  }

  async setLabel(fingerprint: Fingerprint, label: string | undefined): Promise<boolean> {
    if (this.faultReason !== undefined) return false;
    return this.connection.use('write to', (c) => c.setLabel.run(normaliseLabel(label) ?? null, fingerprint).changes > 0);
  }

  /** One transaction for the lot. */
  async recordSeen(seen: SeenTimes): Promise<void> {
    if (seen.size === 0 || this.faultReason !== undefined) return;
    await this.connection.use('write to', (c) =>
      c.db
        .transaction(() => {
          for (const [fingerprint, at] of seen) c.seen.run(at.toISOString(), fingerprint, at.toISOString());
        })
        .immediate(),
    );
  }

  async refresh(): Promise<void> {
    if (this.faultReason !== undefined) {
      if ((await signatureOf(this.filePath)) !== this.faultSignature) await this.openOrFault();
      return;
    }
    await this.connection.use('read', (c) => {
      if (c.dataVersion.get() !== this.indexedVersion) this.reload(c);
    });
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  /** Opens the database (which loads the index), or records why the file is not a store. */
  private async openOrFault(): Promise<void> {
    const signature = await signatureOf(this.filePath);
    try {
      this.connection.open();
      this.faultReason = undefined;
    } catch (error) {
      const fault = storeFaultOf(error);
      if (fault === undefined) throw error;
      this.index = new Set();
      this.indexedVersion = -1;
      this.faultReason = storeFaultMessage(this.filePath, fault.problem, fault.empty);
      this.faultIsEmptyFile = fault.empty;
      this.faultSignature = signature;
    }
  }

  /** Reads the whole table; `data_version` first, so a commit landing in between only causes one more reload. */
  private reload(connection: Connection): void {
    const version = connection.dataVersion.get() as number;
    const { bytes, odd } = readDigests(connection);
    for (const fingerprint of odd) {
      this.logger.warn(`skipped a row of '${this.filePath}' whose fingerprint is not 64 lowercase hex digits`, {
        file: this.filePath,
        fingerprint: String(fingerprint),
      });
    }
    const index = new FingerprintOverlay(new FingerprintTable(bytes));
    this.index = index;
    this.indexedVersion = version;
    this.logger.debug(`read ${index.size} trusted certificate(s) from '${this.filePath}'`, { file: this.filePath, certificates: index.size });
  }

  /**
   * Our own commits leave `data_version` alone; if it moved, another connection wrote too and
   * the index is re-read. The write is already durable, so a failure here is only logged.
   */
  private async catchUpAfterWrite(): Promise<void> {
    try {
      await this.connection.use('read', (c) => {
        if (c.dataVersion.get() !== this.indexedVersion) this.reload(c);
      });
    } catch (error) {
      this.logger.warn(`cannot re-read '${this.filePath}' after a write: ${(error as Error).message}`, { file: this.filePath });
    }
  }
}

/**
 * The digests of the rows whose fingerprint is well formed (64 lowercase hex digits), back to
 * back, and the fingerprints of the other rows, to warn about.
 */
function readDigests(connection: Connection): { bytes: Buffer; odd: readonly unknown[] } {
  return { bytes: connection.fingerprints.get() ?? Buffer.alloc(0), odd: connection.malformed.all() };
}

/** The columns after fingerprint and pem, for a certificate added with `given` provenance. */
function insertValues(incoming: IncomingCertificate, given: Provenance | undefined, now: Date): RecordValues {
  const { via, at, uid, user, label } = provenanceFor(incoming, given, now);
  return [at.toISOString(), via, uid ?? null, user ?? null, label ?? null, incoming.lastSeen?.toISOString() ?? null];
}

/** A row as the port describes it; a value edited into something unreadable reads as unknown. */
function recordOf(row: RecordRow): TrustRecord {
  const at = dateOf(row.added_at) ?? new Date(0);
  const provenance: Provenance = {
    via: isTrustVia(row.via) ? row.via : 'file',
    at,
    ...(row.uid === null ? {} : { uid: row.uid }),
    ...(row.user_name === null ? {} : { user: row.user_name }),
    ...(row.label === null ? {} : { label: row.label }),
  };
  const lastSeen = row.last_seen === null ? undefined : dateOf(row.last_seen);
  const base = { fingerprint: row.fingerprint as Fingerprint, pem: row.pem, provenance };
  return lastSeen === undefined ? base : { ...base, lastSeen };
}


/** Identity of the file (inode, size, mtime, ctime), or 'missing'. */
async function signatureOf(path: string): Promise<string> {
  return (await fileSignature(path)) ?? 'missing';
}
