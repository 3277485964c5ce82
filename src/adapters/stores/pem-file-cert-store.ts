import { open, readFile, stat } from 'node:fs/promises';
import { AuthError } from '../../domain/auth-error.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';
import {
  provenanceFor,
  withLabel,
  type IncomingCertificate,
  type Provenance,
  type SeenTimes,
  type TrustRecord,
} from '../../domain/trust-record.js';
import type { CertStore } from '../../ports/cert-store.js';
import type { Logger } from '../../ports/logger.js';
import {
  canonicalCertificate,
  findPemCertificateBlocks,
  findPemFingerprintBlocks,
  PemBlockScanner,
  summariseCorruptBlocks,
  type PemBlock,
} from '../crypto/pem-certificates.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { deleteFileDurably } from '../fs/delete-file-durably.js';
import { fileSignature, signatureOf } from '../fs/file-signature.js';
import { errorCode, withFileLock } from '../fs/file-lock.js';
import { PemFingerprintCache, fingerprintCachePath } from './pem-fingerprint-cache.js';
import { completeRecords, fileRecord, ProvenanceSidecar, recordOf, stored, type StoredRecords } from './pem-provenance-sidecar.js';
import { storeFaultMessage } from './store-fault.js';

const FILE_MODE = 0o600;

/** Where the PEM store keeps its records: `multipass_client_certs.meta.json` next to the bundle. */
export function provenanceSidecarPath(bundlePath: string): string {
  return `${bundlePath.replace(/\.pem$/, '')}.meta.json`;
}

/**
 * What the trust check needs, and all this store keeps in memory: the fingerprints. The
 * certificates' text stays in the file, read again only to list or rewrite it.
 */
type Index = Set<Fingerprint>;
/** The index the trust check reads: a Set, or after a restart the cache's FingerprintTable. */
type Lookup = Pick<ReadonlySet<Fingerprint>, 'has' | 'size'>;

/** Reads at a refresh: a large bundle is never held whole, in few round trips to the thread pool. */
const READ_BYTES = 1 << 20;
/**
 * Pieces those reads are scanned in as text: small enough for V8's young generation, so each is
 * garbage a scavenge takes back at once (Node makes a text of 1 MB or more an external string,
 * which waits for a full collection: tens of MB still resident seconds after start).
 */
const SCAN_CHARS = 64 * 1024;

/** What a write found under the lock; `records` holds one record per certificate in `index`. */
interface Current {
  readonly text: string;
  readonly blocks: readonly PemBlock[];
  readonly index: Index;
  readonly records: StoredRecords;
}

/** What a write changes: the new bundle text (undefined: left as it is), index and records. */
interface Change {
  readonly text?: string;
  readonly index: Index;
  readonly records: StoredRecords;
}

/**
 * A CertStore kept in Multipass's `multipass_client_certs.pem`: a plain concatenation of PEM
 * certificates that an admin may also append to by hand. Writes re-read the file under a lock
 * and change only what they must, so text this store does not understand (junk, corrupt
 * blocks) and certificates added by another process are never dropped. A file that exists
 * but holds no valid certificate (empty, whitespace, only junk or corrupt blocks, unreadable)
 * is a fault, not an empty store; so removing the last certificate deletes the file rather
 * than leave it empty.
 *
 * How each certificate got in (and its label, and when it was last seen) is kept in a sidecar
 * JSON file (ProvenanceSidecar), written under the same lock: records first when adding,
 * certificates first when removing, so a crash in between leaves at worst a record without a
 * certificate (dropped at the next write) or a certificate shown as `via: 'file'`. A
 * certificate found without a record (appended by hand) is `via: 'file'`, at the bundle's
 * mtime, and is recorded so at the next write.
 */
export class PemFileCertStore implements CertStore {
  private index: Lookup = new Set();
  private faultReason: string | undefined;
  /** Identity of the file as last read; refresh() skips the read while it is unchanged. */
  private readSignature: string | undefined;
  /** Serialises this instance's reads and writes so the index never goes back in time. */
  private queue: Promise<unknown> = Promise.resolve();

  private readonly sidecar: ProvenanceSidecar;
  private readonly cache: PemFingerprintCache;
  /** The cache writes, one after the other; close() waits for them. */
  private caching: Promise<void> = Promise.resolve();

  constructor(
    private readonly filePath: string,
    private readonly logger: Logger,
  ) {
    this.sidecar = new ProvenanceSidecar(provenanceSidecarPath(filePath), logger);
    this.cache = new PemFingerprintCache(fingerprintCachePath(filePath));
  }

  async load(): Promise<void> {
    await this.refresh();
  }

  /**
   * Called for every call from an unknown client, so it must be cheap when nothing changed:
   * one stat, and a re-read only when the file's inode, size, mtime or ctime moved (ctime, so
   * that a chmod making an unreadable file readable is noticed).
   */
  async refresh(): Promise<void> {
    await this.serialised(async () => {
      const signature = await fileSignature(this.filePath);
      if (signature !== undefined && signature === this.readSignature) return;
      this.readSignature = signature;
      const cached = signature === undefined ? undefined : await this.cache.read(signature);
      if (cached !== undefined) {
        // Only a bundle of valid certificates without a corrupt block is ever cached.
        this.adoptScan({ exists: true, blank: false, index: cached }, 0);
        return;
      }
      let scan: StreamedScan;
      try {
        scan = await this.streamIndex();
      } catch (error) {
        this.index = new Set();
        const cause = AuthError.is(error) ? error.cause : error;
        this.faultReason = storeFaultMessage(this.filePath, `exists but cannot be read (${messageOf(cause)})`, false);
        return;
      }
      this.warnAboutCorruptBlocks(scan.corrupt);
      this.adoptScan(scan, scan.corrupt.length);
      if (scan.signature !== undefined && scan.index.size > 0 && scan.corrupt.length === 0) this.saveCache(scan.signature, scan.index);
    });
  }

  /** In the background: the index is served already, and a cache that cannot be written only costs the next start a scan. */
  private saveCache(signature: string, index: Index): void {
    this.caching = this.caching.then(() =>
      this.cache.write(signature, index).catch((error: unknown) => {
        this.logger.debug(`cannot write the fingerprint index '${this.cache.filePath}': ${messageOf(error)}`, { file: this.cache.filePath });
      }),
    );
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

  /**
   * The certificates of the index as this instance last read it, in the file's order, with the
   * records as the sidecar says now. Their text is read from the file again (the index holds
   * fingerprints only); one that has left the file since is left out.
   */
  async list(): Promise<readonly TrustRecord[]> {
    return this.serialised(async () => {
      const { records } = await this.sidecar.read();
      const fileAt = await this.modifiedAt();
      const listed: TrustRecord[] = [];
      const seen = new Set<Fingerprint>();
      for (const { certificate } of findPemCertificateBlocks((await this.readText()) ?? '')) {
        if (certificate === undefined || seen.has(certificate.fingerprint) || !this.index.has(certificate.fingerprint)) continue;
        seen.add(certificate.fingerprint);
        listed.push(recordOf(certificate, records.get(certificate.fingerprint) ?? fileRecord(fileAt)));
      }
      return listed;
    });
  }

  /**
   * Stores the certificate in canonical armour (64-character lines), which is also what
   * `list` returns after a reload.
   * @throws AuthError `invalid-certificate` when `pem` is not one certificate with that fingerprint.
   */
  async add(certificate: TrustedCertificate, provenance?: Provenance): Promise<boolean> {
    return (await this.addAll([certificate], provenance)) === 1;
  }

  /**
   * One file rewrite for the lot; nothing is written if any of them is invalid.
   * @throws AuthError `invalid-certificate` as `add` does.
   */
  async addAll(certificates: readonly IncomingCertificate[], provenance?: Provenance): Promise<number> {
    const incoming = certificates.map((cert) => ({ ...cert, ...canonicalCertificate(cert) }));
    let added = 0;
    await this.rewrite(({ text, index, records }) => {
      const now = new Date();
      let appended = '';
      for (const cert of incoming) {
        if (index.has(cert.fingerprint)) continue;
        index.add(cert.fingerprint);
        records.set(cert.fingerprint, stored(provenanceFor(cert, provenance, now), cert.lastSeen));
        appended += cert.pem;
        added += 1;
      }
      if (appended === '') return undefined;
      const separator = text === '' || text.endsWith('\n') ? '' : '\n';
      return { text: text + separator + appended, index, records };
    });
    return added;
  }

  /** Removing the last certificate deletes the file when only whitespace would be left. */
  async remove(fingerprint: Fingerprint): Promise<boolean> {
    return this.rewrite(({ text, blocks, index, records }) => {
      const matching = blocks.filter((block) => block.fingerprint === fingerprint);
      if (matching.length === 0) return undefined;
      let kept = '';
      let from = 0;
      for (const block of matching) {
        kept += text.slice(from, block.start);
        from = block.end;
      }
      index.delete(fingerprint);
      records.delete(fingerprint);
      return { text: kept + text.slice(from), index, records };
    });
  }

  /** @throws AuthError `store-unavailable` when the records cannot be written. */
  async setLabel(fingerprint: Fingerprint, label: string | undefined): Promise<boolean> {
    return this.rewrite(({ index, records }) => {
      const record = records.get(fingerprint);
      if (record === undefined) return undefined;
      records.set(fingerprint, { ...record, provenance: withLabel(record.provenance, label) });
      return { index, records };
    });
  }

  /** One sidecar rewrite, and none when no time moves forward. */
  async recordSeen(seen: SeenTimes): Promise<void> {
    await this.rewrite(({ index, records }) => {
      let changed = false;
      for (const [fingerprint, at] of seen) {
        const record = records.get(fingerprint);
        if (record === undefined || (record.lastSeen !== undefined && record.lastSeen.getTime() >= at.getTime())) continue;
        records.set(fingerprint, { ...record, lastSeen: at });
        changed = true;
      }
      return changed ? { index, records } : undefined;
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.caching;
  }

  /**
   * Read, decide and write under the file lock; `change` answers undefined for "nothing to do".
   * A record that cannot be written fails a change of records only; adding or removing a
   * certificate goes ahead with a warning, since trust never depends on the records.
   */
  private rewrite(change: (current: Current) => Change | undefined): Promise<boolean> {
    return this.serialised(async () => {
      try {
        return await withFileLock(this.filePath, async () => {
          const existing = await this.readText();
          const text = existing ?? '';
          const blocks = findPemFingerprintBlocks(text);
          const index = indexOf(blocks);
          const sidecar = await this.sidecar.read();
          const records = completeRecords(index, sidecar.records, await this.modifiedAt());
          const next = change({ text, blocks, index: new Set(index), records: new Map(records) });
          if (next === undefined) {
            this.adopt(existing, blocks, index);
            return false;
          }
          const nextRecords = completeRecords(next.index, next.records, new Date());
          const removing = [...index].some((fingerprint) => !next.index.has(fingerprint));
          const writeRecords = () => this.writeRecords(nextRecords, sidecar.damaged, next.text === undefined);
          if (!removing) await writeRecords();
          if (next.text === undefined) {
            this.index = next.index;
          } else if (isBlank(next.text)) {
            // An empty file would read as a damaged store at the next start: no file is an empty one.
            await deleteFileDurably(this.filePath);
            this.adopt(undefined, [], next.index);
          } else {
            await writeFileAtomic(this.filePath, Buffer.from(next.text, 'latin1'), FILE_MODE);
            this.adopt(next.text, undefined, next.index);
          }
          if (removing) await writeRecords();
          return true;
        });
      } catch (error) {
        if (AuthError.is(error)) throw error;
        throw new AuthError('store-unavailable', `Cannot write the trusted certificates file '${this.filePath}': ${messageOf(error)}`, {
          cause: error,
        });
      }
    });
  }

  private async writeRecords(records: StoredRecords, damaged: boolean, required: boolean): Promise<void> {
    try {
      await this.sidecar.write(records, damaged);
    } catch (error) {
      if (required) {
        throw new AuthError('store-unavailable', `Cannot write the trust records file '${this.sidecar.filePath}': ${messageOf(error)}`, {
          cause: error,
        });
      }
      this.logger.warn(`cannot write the trust records file '${this.sidecar.filePath}': ${messageOf(error)}; the change is made without its record`, {
        file: this.sidecar.filePath,
      });
    }
  }

  /** The bundle's mtime: when a certificate found there without a record was trusted at the latest. */
  private async modifiedAt(): Promise<Date> {
    try {
      return (await stat(this.filePath)).mtime;
    } catch {
      return new Date();
    }
  }

  /**
   * Takes `index` as what the file now says, and whether the file is a fault: it exists
   * (`text` is undefined when it does not) and holds no valid certificate.
   */
  private adopt(text: string | undefined, blocks: readonly PemBlock[] | undefined, index: Index): void {
    const corrupt = text === undefined || index.size > 0 ? 0 : (blocks ?? findPemFingerprintBlocks(text)).length;
    this.adoptScan({ exists: text !== undefined, blank: text === undefined || isBlank(text), index }, corrupt);
  }

  /** `count`: how many corrupt blocks the file holds (only needed when `index` is empty). */
  private adoptScan({ exists, blank, index }: { exists: boolean; blank: boolean; index: Lookup }, count: number): void {
    this.index = index;
    if (!exists || index.size > 0) {
      this.faultReason = undefined;
    } else {
      const problem = blank
        ? 'exists but is empty'
        : `exists but holds no valid certificate${count > 0 ? ` (${count} corrupt block${count === 1 ? '' : 's'})` : ''}`;
      this.faultReason = storeFaultMessage(this.filePath, problem, true);
    }
  }

  /**
   * Reads the file in chunks and keeps the fingerprints (first occurrence wins) and the corrupt
   * blocks (for one warning), never the whole text: memory at start does not grow with the
   * certificates' text. A missing file is an empty store.
   */
  private async streamIndex(): Promise<StreamedScan> {
    const scan: StreamedScan = { exists: true, blank: true, index: new Set(), corrupt: [] };
    const take = (blocks: readonly PemBlock[]) => {
      for (const block of blocks) {
        if (block.fingerprint === undefined) scan.corrupt.push(block);
        else scan.index.add(block.fingerprint);
      }
    };
    let file;
    try {
      file = await open(this.filePath, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { ...scan, exists: false };
      throw unreadable(this.filePath, error);
    }
    try {
      const before = signatureOf(await file.stat({ bigint: true }));
      const scanner = new PemBlockScanner();
      const buffer = Buffer.allocUnsafe(READ_BYTES);
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        for (let at = 0; at < bytesRead; at += SCAN_CHARS) {
          const chunk = buffer.toString('latin1', at, Math.min(at + SCAN_CHARS, bytesRead));
          if (scan.blank && !isBlank(chunk)) scan.blank = false;
          take(scanner.feed(chunk));
        }
      }
      take(scanner.finish());
      // The bundle as it was read, for the cache: none when it changed while being read.
      const after = signatureOf(await file.stat({ bigint: true }));
      return { ...scan, signature: before === after ? before : undefined };
    } catch (error) {
      throw unreadable(this.filePath, error);
    } finally {
      await file.close();
    }
  }

  /** One line per read of a changed file, however many blocks are corrupt. */
  private warnAboutCorruptBlocks(blocks: readonly PemBlock[]): void {
    const corrupt = summariseCorruptBlocks(blocks);
    if (corrupt === undefined) return;
    this.logger.warn(`skipped ${corrupt.text} in ${this.filePath}`, { file: this.filePath, count: corrupt.count, line: corrupt.line });
  }

  /**
   * The file as latin1, which maps every byte to one character and back: whatever an admin
   * put in the file is written back byte for byte. A missing file is undefined: an empty store.
   */
  private async readText(): Promise<string | undefined> {
    try {
      return (await readFile(this.filePath)).toString('latin1');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw unreadable(this.filePath, error);
    }
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** First occurrence wins, so a certificate appended twice is listed once, where it was first trusted. */
function indexOf(blocks: readonly PemBlock[]): Index {
  const index: Index = new Set();
  for (const { fingerprint } of blocks) if (fingerprint !== undefined) index.add(fingerprint);
  return index;
}

/** What a streamed read of the file found. */
interface StreamedScan {
  readonly exists: boolean;
  blank: boolean;
  readonly index: Index;
  readonly corrupt: PemBlock[];
  /** The bundle's signature when it did not change while it was read (what the cache is keyed by). */
  readonly signature?: string | undefined;
}

function unreadable(filePath: string, error: unknown): AuthError {
  return new AuthError('store-unavailable', `Cannot read the trusted certificates file '${filePath}': ${messageOf(error)}`, { cause: error });
}

const isBlank = (text: string): boolean => text.trim() === '';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
