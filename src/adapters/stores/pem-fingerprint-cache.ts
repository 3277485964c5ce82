import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import type { Fingerprint } from '../../domain/fingerprint.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { O_NOFOLLOW } from '../fs/no-follow.js';
import { open } from 'node:fs/promises';
import { FingerprintTable } from './fingerprint-table.js';

/** Where the PEM store caches its fingerprints: `multipass_client_certs.index` next to the bundle. */
export function fingerprintCachePath(bundlePath: string): string {
  return `${bundlePath.replace(/\.pem$/, '')}.index`;
}

const MAGIC = 'multipassd fingerprint index 1\n';
const FINGERPRINT_BYTES = 32;
const CHECKSUM_BYTES = 32;
const FILE_MODE = 0o600;
/** Far above any real store (100,000 certificates is 3.2 MB); a bigger file is not ours. */
const MAX_BYTES = 256 * 1024 * 1024;

/**
 * The PEM store's fingerprints as they were at its last full read, so that a restart reads
 * 32 bytes per certificate instead of scanning (and hashing) the whole bundle: with 100,000
 * certificates that is about 3 MB against 70 MB of PEM text, and start-up no longer grows
 * with the store's text.
 *
 * Why a cache rather than listening before the index is loaded: the cache changes nothing in
 * the start-up order that the socket's mode, bootstrap and the fault rules depend on (the
 * index is complete before the daemon listens, exactly as without it); all it can get wrong is
 * the index itself, and it is only believed when nothing can have changed:
 * - it names the bundle's inode, size, mtime and ctime (ns) as they were when the bundle was
 *   read (checked on the descriptor before and after the read, so a bundle changed while it
 *   was read is never cached), and is ignored unless they match the bundle now;
 * - its bytes carry a SHA-256 of the rest: a torn or damaged file is ignored, then rebuilt;
 * - it is written atomically (temp, fsync, rename) with mode 0600, and read without following
 *   a link, only when it is a regular file of this process's user that no one else may write:
 *   whoever could plant one could as well write the bundle next to it.
 * Only a bundle that reads cleanly is cached (certificates and no corrupt block): a damaged
 * one is scanned at every start, so its warnings and faults are told exactly as before.
 */
export class PemFingerprintCache {
  constructor(readonly filePath: string) {}

  /**
   * The cached fingerprints, in the bundle's order, when the cache matches `signature`; else
   * undefined. A table over the bytes read, not a Set of strings: see FingerprintTable.
   */
  async read(signature: string): Promise<FingerprintTable | undefined> {
    let bytes: Buffer;
    try {
      const handle = await open(this.filePath, constants.O_RDONLY | O_NOFOLLOW | (constants.O_NONBLOCK ?? 0));
      try {
        const info = await handle.stat();
        const foreign = typeof process.getuid === 'function' && info.uid !== process.getuid();
        if (!info.isFile() || foreign || (info.mode & 0o022) !== 0 || info.size > MAX_BYTES) return undefined;
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch {
      return undefined;
    }
    return decode(bytes, signature);
  }

  /** Replaces the cache with `index` as read from the bundle with `signature`. */
  async write(signature: string, index: ReadonlySet<Fingerprint>): Promise<void> {
    await writeFileAtomic(this.filePath, encode(signature, index), FILE_MODE);
  }
}

function header(signature: string, count: number): Buffer {
  return Buffer.from(`${MAGIC}${signature}\n${count}\n`, 'latin1');
}

export function encode(signature: string, index: ReadonlySet<Fingerprint>): Buffer {
  const head = header(signature, index.size);
  const bytes = Buffer.allocUnsafe(head.length + index.size * FINGERPRINT_BYTES + CHECKSUM_BYTES);
  head.copy(bytes, 0);
  let at = head.length;
  for (const fingerprint of index) at += bytes.write(fingerprint, at, FINGERPRINT_BYTES, 'hex');
  createHash('sha256').update(bytes.subarray(0, at)).digest().copy(bytes, at);
  return bytes;
}

/** Undefined for anything but an intact cache of the bundle with `signature`. */
export function decode(bytes: Buffer, signature: string): FingerprintTable | undefined {
  if (bytes.length < CHECKSUM_BYTES) return undefined;
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const checksum = createHash('sha256').update(body).digest();
  if (!checksum.equals(bytes.subarray(body.length))) return undefined;
  const lines = body.toString('latin1', 0, Math.min(body.length, 512)).split('\n');
  if (`${lines[0]}\n` !== MAGIC || lines[1] !== signature || !/^[1-9]\d{0,8}$/.test(lines[2] ?? '')) return undefined;
  const count = Number(lines[2]);
  const start = header(signature, count).length;
  if (body.length !== start + count * FINGERPRINT_BYTES) return undefined;
  try {
    return new FingerprintTable(body.subarray(start));
  } catch {
    // Twice the same fingerprint: not what this code writes, so not to be believed.
    return undefined;
  }
}
