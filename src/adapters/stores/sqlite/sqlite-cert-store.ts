import { isFingerprint, type Fingerprint } from '../../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../../domain/trusted-certificate.js';
import type { CertStore } from '../../../ports/cert-store.js';
import type { Logger } from '../../../ports/logger.js';
import { canonicalCertificate } from '../../crypto/pem-certificates.js';
import { SqliteConnection, type Prepared } from './sqlite-connection.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface Row {
  readonly fingerprint: string;
  readonly pem: string;
}

const statements = (db: SqliteDatabase) => ({
  insert: db.prepare<[string, string, string]>(
    'INSERT INTO trusted_certificates (fingerprint, pem, added_at) VALUES (?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING',
  ),
  delete: db.prepare<[string]>('DELETE FROM trusted_certificates WHERE fingerprint = ?'),
  all: db.prepare<[], Row>('SELECT fingerprint, pem FROM trusted_certificates ORDER BY rowid'),
  dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
});

type Connection = Prepared<ReturnType<typeof statements>>;

/**
 * A CertStore in the `trusted_certificates` table of `<data>/multipassd.db`. Lookups use an
 * in-memory index, so no SQL runs per RPC. `refresh` costs one `PRAGMA data_version`, which
 * changes only when another connection (another process, or another store instance) has
 * committed, and reloads the index only then.
 */
export class SqliteCertStore implements CertStore {
  private index = new Map<Fingerprint, TrustedCertificate>();
  private readonly connection: SqliteConnection<ReturnType<typeof statements>>;
  /** `data_version` when the index was last read: the index matches the table as of then, plus our own writes. */
  private indexedVersion = -1;

  /** Opens nothing until `load`, so the composition root can build it from a path alone. */
  constructor(
    private readonly filePath: string,
    private readonly logger: Logger,
  ) {
    this.connection = new SqliteConnection(filePath, logger, statements, (connection) => this.reload(connection));
  }

  async load(): Promise<void> {
    this.connection.open();
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
    const incoming = certificates.map(canonicalCertificate);
    if (incoming.length === 0) return 0;
    const addedAt = new Date().toISOString();
    const inserted = this.connection.use('write to', (c) =>
      c.db.transaction(() => incoming.filter((cert) => c.insert.run(cert.fingerprint, cert.pem, addedAt).changes === 1)).immediate(),
    );
    for (const cert of inserted) this.index.set(cert.fingerprint, cert);
    this.catchUpAfterWrite();
    return inserted.length;
  }

  async remove(fingerprint: Fingerprint): Promise<boolean> {
    const removed = this.connection.use('write to', (c) => c.delete.run(fingerprint).changes > 0);
    this.index.delete(fingerprint);
    this.catchUpAfterWrite();
    return removed;
  }

  async list(): Promise<readonly TrustedCertificate[]> {
    await this.refresh();
    return [...this.index.values()];
  }

  async refresh(): Promise<void> {
    this.connection.use('read', (c) => {
      if (c.dataVersion.get() !== this.indexedVersion) this.reload(c);
    });
  }

  async close(): Promise<void> {
    this.connection.close();
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
  private catchUpAfterWrite(): void {
    try {
      this.connection.use('read', (c) => {
        if (c.dataVersion.get() !== this.indexedVersion) this.reload(c);
      });
    } catch (error) {
      this.logger.warn(`cannot re-read '${this.filePath}' after a write: ${(error as Error).message}`, { file: this.filePath });
    }
  }
}
