import { readFile, stat } from 'node:fs/promises';
import { AuthError } from '../../domain/auth-error.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';
import type { CertStore } from '../../ports/cert-store.js';
import type { Logger } from '../../ports/logger.js';
import { canonicalCertificate, findPemCertificateBlocks, summariseCorruptBlocks, type PemBlock } from '../crypto/pem-certificates.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { deleteFileDurably } from '../fs/delete-file-durably.js';
import { errorCode, withFileLock } from '../fs/file-lock.js';
import { storeFaultMessage } from './store-fault.js';

const FILE_MODE = 0o600;

/**
 * A CertStore kept in Multipass's `multipass_client_certs.pem`: a plain concatenation of PEM
 * certificates that an admin may also append to by hand. Writes re-read the file under a lock
 * and change only what they must, so text this store does not understand (junk, corrupt
 * blocks) and certificates added by another process are never dropped. A file that exists
 * but holds no valid certificate (empty, whitespace, only junk or corrupt blocks, unreadable)
 * is a fault, not an empty store; so removing the last certificate deletes the file rather
 * than leave it empty.
 */
export class PemFileCertStore implements CertStore {
  private index = new Map<Fingerprint, TrustedCertificate>();
  private faultReason: string | undefined;
  /** Identity of the file as last read; refresh() skips the read while it is unchanged. */
  private readSignature: string | undefined;
  /** Serialises this instance's reads and writes so the index never goes back in time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly filePath: string,
    private readonly logger: Logger,
  ) {}

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
      const signature = await this.signature();
      if (signature !== undefined && signature === this.readSignature) return;
      this.readSignature = signature;
      let text: string | undefined;
      try {
        text = await this.readText();
      } catch (error) {
        this.index = new Map();
        const cause = AuthError.is(error) ? error.cause : error;
        this.faultReason = storeFaultMessage(this.filePath, `exists but cannot be read (${messageOf(cause)})`, false);
        return;
      }
      const blocks = findPemCertificateBlocks(text ?? '');
      this.warnAboutCorruptBlocks(blocks);
      this.adopt(text, blocks, indexOf(blocks));
    });
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

  async list(): Promise<readonly TrustedCertificate[]> {
    return [...this.index.values()];
  }

  /**
   * Stores the certificate in canonical armour (64-character lines), which is also what
   * `list` returns after a reload.
   * @throws AuthError `invalid-certificate` when `pem` is not one certificate with that fingerprint.
   */
  async add(certificate: TrustedCertificate): Promise<boolean> {
    return (await this.addAll([certificate])) === 1;
  }

  /**
   * One file rewrite for the lot; nothing is written if any of them is invalid.
   * @throws AuthError `invalid-certificate` as `add` does.
   */
  async addAll(certificates: readonly TrustedCertificate[]): Promise<number> {
    const incoming = certificates.map(canonicalCertificate);
    let added = 0;
    await this.rewrite((text, blocks) => {
      const index = indexOf(blocks);
      const before = index.size;
      let appended = '';
      for (const cert of incoming) {
        if (index.has(cert.fingerprint)) continue;
        index.set(cert.fingerprint, cert);
        appended += cert.pem;
      }
      added = index.size - before;
      if (appended === '') return undefined;
      const separator = text === '' || text.endsWith('\n') ? '' : '\n';
      return { text: text + separator + appended, index };
    });
    return added;
  }

  /** Removing the last certificate deletes the file when only whitespace would be left. */
  async remove(fingerprint: Fingerprint): Promise<boolean> {
    return this.rewrite((text, blocks) => {
      const matching = blocks.filter((block) => block.certificate?.fingerprint === fingerprint);
      if (matching.length === 0) return undefined;
      let kept = '';
      let from = 0;
      for (const block of matching) {
        kept += text.slice(from, block.start);
        from = block.end;
      }
      const index = indexOf(blocks);
      index.delete(fingerprint);
      return { text: kept + text.slice(from), index };
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  /** Read, decide and write under the file lock; `change` answers undefined for "nothing to do". */
  private rewrite(
    change: (text: string, blocks: PemBlock[]) => { text: string; index: Map<Fingerprint, TrustedCertificate> } | undefined,
  ): Promise<boolean> {
    return this.serialised(async () => {
      try {
        return await withFileLock(this.filePath, async () => {
          const existing = await this.readText();
          const text = existing ?? '';
          const blocks = findPemCertificateBlocks(text);
          const next = change(text, blocks);
          if (next === undefined) {
            this.adopt(existing, blocks, indexOf(blocks));
            return false;
          }
          if (isBlank(next.text)) {
            // An empty file would read as a damaged store at the next start: no file is an empty one.
            await deleteFileDurably(this.filePath);
            this.adopt(undefined, [], next.index);
          } else {
            await writeFileAtomic(this.filePath, Buffer.from(next.text, 'latin1'), FILE_MODE);
            this.adopt(next.text, undefined, next.index);
          }
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

  /**
   * Takes `index` as what the file now says, and whether the file is a fault: it exists
   * (`text` is undefined when it does not) and holds no valid certificate.
   */
  private adopt(text: string | undefined, blocks: readonly PemBlock[] | undefined, index: Map<Fingerprint, TrustedCertificate>): void {
    this.index = index;
    if (text === undefined || index.size > 0) {
      this.faultReason = undefined;
    } else {
      const corrupt = (blocks ?? findPemCertificateBlocks(text)).length;
      const problem = isBlank(text)
        ? 'exists but is empty'
        : `exists but holds no valid certificate${corrupt > 0 ? ` (${corrupt} corrupt block${corrupt === 1 ? '' : 's'})` : ''}`;
      this.faultReason = storeFaultMessage(this.filePath, problem, true);
    }
  }

  /** One line per read of a changed file, however many blocks are corrupt. */
  private warnAboutCorruptBlocks(blocks: readonly PemBlock[]): void {
    const corrupt = summariseCorruptBlocks(blocks);
    if (corrupt === undefined) return;
    this.logger.warn(`skipped ${corrupt.text} in ${this.filePath}`, { file: this.filePath, count: corrupt.count, line: corrupt.line });
  }

  private async signature(): Promise<string | undefined> {
    try {
      const info = await stat(this.filePath, { bigint: true });
      return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    } catch {
      return undefined;
    }
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
      throw new AuthError('store-unavailable', `Cannot read the trusted certificates file '${this.filePath}': ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** First occurrence wins, so a certificate appended twice is listed once, where it was first trusted. */
function indexOf(blocks: readonly PemBlock[]): Map<Fingerprint, TrustedCertificate> {
  const index = new Map<Fingerprint, TrustedCertificate>();
  for (const { certificate } of blocks) {
    if (certificate !== undefined && !index.has(certificate.fingerprint)) index.set(certificate.fingerprint, certificate);
  }
  return index;
}

const isBlank = (text: string): boolean => text.trim() === '';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
