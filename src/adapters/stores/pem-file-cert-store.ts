import { readFile, stat } from 'node:fs/promises';
import { AuthError } from '../../domain/auth-error.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';
import type { CertStore } from '../../ports/cert-store.js';
import type { Logger } from '../../ports/logger.js';
import { canonicalCertificate, findPemCertificateBlocks, type PemBlock } from '../crypto/pem-certificates.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { errorCode, withFileLock } from '../fs/file-lock.js';

const FILE_MODE = 0o600;

/**
 * A CertStore kept in Multipass's `multipass_client_certs.pem`: a plain concatenation of PEM
 * certificates that an admin may also append to by hand. Writes re-read the file under a lock
 * and change only what they must, so text this store does not understand (junk, corrupt
 * blocks) and certificates added by another process are never dropped.
 */
export class PemFileCertStore implements CertStore {
  private index = new Map<Fingerprint, TrustedCertificate>();
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
   * one stat, and a re-read only when the file's inode, size or mtime moved.
   */
  async refresh(): Promise<void> {
    await this.serialised(async () => {
      const signature = await this.signature();
      if (signature !== undefined && signature === this.readSignature) return;
      this.readSignature = signature;
      const blocks = findPemCertificateBlocks(await this.readText());
      for (const block of blocks) {
        if (block.certificate === undefined) {
          this.logger.warn(`skipped a corrupt certificate at ${this.filePath}:${block.line}: ${block.reason}`, {
            file: this.filePath,
            line: block.line,
            reason: block.reason,
          });
        }
      }
      this.index = indexOf(blocks);
    });
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
          const text = await this.readText();
          const blocks = findPemCertificateBlocks(text);
          const next = change(text, blocks);
          if (next === undefined) {
            this.index = indexOf(blocks);
            return false;
          }
          await writeFileAtomic(this.filePath, Buffer.from(next.text, 'latin1'), FILE_MODE);
          this.index = next.index;
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

  private async signature(): Promise<string | undefined> {
    try {
      const info = await stat(this.filePath, { bigint: true });
      return `${info.ino}:${info.size}:${info.mtimeNs}`;
    } catch {
      return undefined;
    }
  }

  /**
   * The file as latin1, which maps every byte to one character and back: whatever an admin
   * put in the file is written back byte for byte. A missing file is an empty store.
   */
  private async readText(): Promise<string> {
    try {
      return (await readFile(this.filePath)).toString('latin1');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return '';
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
