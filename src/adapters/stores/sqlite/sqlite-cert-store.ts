import type { Statement } from 'better-sqlite3';
import { AuthError } from '../../../domain/auth-error.js';
import { isFingerprint, type Fingerprint } from '../../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../../domain/trusted-certificate.js';
import type { CertStore } from '../../../ports/cert-store.js';
import type { Logger } from '../../../ports/logger.js';
import { trustedCertificateFromPem } from '../../crypto/pem-certificates.js';
import { openSqliteDatabase, sqliteStoreError, type SqliteDatabase } from './sqlite-database.js';

interface Row {
  readonly fingerprint: string;
  readonly pem: string;
}

interface Connection {
  readonly db: SqliteDatabase;
  readonly insert: Statement<[string, string, string]>;
  readonly delete: Statement<[string]>;
  readonly all: Statement<[], Row>;
  readonly dataVersion: Statement<[], number>;
}

/**
 * A CertStore in the `trusted_certificates` table of `<data>/multipassd.db`. Lookups use an
 * in-memory index, so no SQL runs per RPC. `refresh` costs one `PRAGMA data_version`, which
 * changes only when another connection (another process, or another store instance) has
 * committed, and reloads the index only then.
 */
export class SqliteCertStore implements CertStore {
  private index = new Map<Fingerprint, TrustedCertificate>();
  private connection: Connection | undefined;
  /** `data_version` when the index was last read: the index matches the table as of then, plus our own writes. */
  private indexedVersion = -1;
  private closed = false;

  /** Opens nothing until `load`, so the composition root can build it from a path alone. */
  constructor(
    private readonly filePath: string,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {
    this.connect();
  }

  contains(fingerprint: Fingerprint): boolean {
    return this.index.has(fingerprint);
  }

  size(): number {
    return this.index.size;
  }

  /** @throws AuthError `invalid-certificate` when `pem` is not one certificate with that fingerprint. */
  async add(certificate: TrustedCertificate): Promise<boolean> {
    return (await this.addAll([certificate])) === 1;
  }

  /**
   * One transaction for the lot; nothing is written if any of them is invalid. Certificates
   * are stored in canonical armour, as the PEM file store does.
   * @throws AuthError `invalid-certificate` as `add` does.
   */
  async addAll(certificates: readonly TrustedCertificate[]): Promise<number> {
    const incoming = certificates.map(canonical);
    const connection = this.connect();
    if (incoming.length === 0) return 0;
    const addedAt = new Date().toISOString();
    let inserted: TrustedCertificate[];
    try {
      inserted = connection.db
        .transaction(() => incoming.filter((cert) => connection.insert.run(cert.fingerprint, cert.pem, addedAt).changes === 1))
        .immediate();
    } catch (error) {
      throw sqliteStoreError(this.filePath, 'write to', error);
    }
    for (const cert of inserted) this.index.set(cert.fingerprint, cert);
    this.catchUpAfterWrite(connection);
    return inserted.length;
  }

  async remove(fingerprint: Fingerprint): Promise<boolean> {
    const connection = this.connect();
    let removed: boolean;
    try {
      removed = connection.delete.run(fingerprint).changes > 0;
    } catch (error) {
      throw sqliteStoreError(this.filePath, 'write to', error);
    }
    this.index.delete(fingerprint);
    this.catchUpAfterWrite(connection);
    return removed;
  }

  async list(): Promise<readonly TrustedCertificate[]> {
    await this.refresh();
    return [...this.index.values()];
  }

  async refresh(): Promise<void> {
    const connection = this.connect();
    try {
      if (connection.dataVersion.get() !== this.indexedVersion) this.reload(connection);
    } catch (error) {
      throw sqliteStoreError(this.filePath, 'read', error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection?.db.close();
    this.connection = undefined;
  }

  private connect(): Connection {
    if (this.closed) throw new AuthError('store-unavailable', `The SQLite store '${this.filePath}' is closed.`);
    if (this.connection !== undefined) return this.connection;
    const db = openSqliteDatabase(this.filePath, this.logger);
    try {
      const connection: Connection = {
        db,
        insert: db.prepare(
          'INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING',
        ),
        delete: db.prepare('DELETE FROM trusted_certificates WHERE fingerprint = ?'),
        all: db.prepare<[], Row>('SELECT fingerprint, pem FROM trusted_certificates ORDER BY rowid'),
        dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      };
      this.reload(connection);
      this.connection = connection;
      return connection;
    } catch (error) {
      db.close();
      throw sqliteStoreError(this.filePath, 'read', error);
    }
  }

  /** Reads the whole table; `data_version` first, so a commit landing in between only causes one more reload. */
  private reload(connection: Connection): void {
    const version = connection.dataVersion.get() as number;
    const index = new Map<Fingerprint, TrustedCertificate>();
    for (const { fingerprint, pem } of connection.all.iterate()) {
      if (!isFingerprint(fingerprint)) {
        this.logger.warn(`skipped a row of '${this.filePath}' whose fingerprint is not 64 lowercase hex digits`, {
          file: this.filePath,
          fingerprint,
        });
        continue;
      }
      index.set(fingerprint, { fingerprint, pem });
    }
    this.index = index;
    this.indexedVersion = version;
    this.logger.debug(`read ${index.size} trusted certificate(s) from '${this.filePath}'`, { file: this.filePath, certificates: index.size });
  }

  /**
   * Our own commits leave `data_version` alone; if it moved, another connection wrote too and
   * the index is re-read. The write is already durable, so a failure here is only logged.
   */
  private catchUpAfterWrite(connection: Connection): void {
    try {
      if (connection.dataVersion.get() !== this.indexedVersion) this.reload(connection);
    } catch (error) {
      this.logger.warn(`cannot re-read '${this.filePath}' after a write: ${sqliteStoreError(this.filePath, 'read', error).message}`, {
        file: this.filePath,
      });
    }
  }
}

function canonical(certificate: TrustedCertificate): TrustedCertificate {
  const parsed = trustedCertificateFromPem(certificate.pem);
  if (parsed.fingerprint !== certificate.fingerprint) {
    throw new AuthError('invalid-certificate', 'The certificate does not match its fingerprint.');
  }
  return parsed;
}
