import { randomBytes } from 'node:crypto';
import { constants, lstatSync, mkdirSync, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errorCode } from './error-code.js';
import { chmodNoFollow, CREATE_NEW, lstatIfPresent, openOwn, requireAbsentOr, requireKind } from './no-follow.js';

/** Mode for directories this module creates: store files hold who is trusted. */
export const PRIVATE_DIR_MODE = 0o700;

export interface WriteOptions {
  /** Mode for directories created on the way. Default 0700. */
  readonly dirMode?: number;
  /**
   * For a user's own files (the CLI's, in its home), where links are the user's to make: a
   * link at the directory is followed and one at the file is replaced by the new file.
   * Without it (the daemon), either is refused.
   */
  readonly allowLinks?: boolean;
}

type LinkOptions = Pick<WriteOptions, 'allowLinks'>;

/**
 * Replaces `path` with `data` so that a reader (or a crash) sees either the old file or the
 * new one, never a mixture: write a temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. Creates missing parent directories with `dirMode`.
 * The file gets exactly `mode`, whatever the umask. Strings are written as UTF-8.
 * @throws UnsafePathError when a link (or anything but a regular file) is at `path`, or a
 * link is where its directory should be, unless `allowLinks`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number, options: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const allowLinks = options.allowLinks === true;
  await ensureDir(dir, options.dirMode ?? PRIVATE_DIR_MODE, { allowLinks });
  // The rename would replace a planted link rather than write through it, but a link where
  // our file belongs means someone has been at our files: say so instead of carrying on.
  if (!allowLinks) requireAbsentOr(path, 'regular file');
  // Dot-prefixed and unique, so concurrent writers never share a temp file.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, CREATE_NEW, mode);
  try {
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir, allowLinks);
}

/**
 * Creates `dir` and any missing parents with exactly `mode` (umask would otherwise loosen or
 * tighten it). Existing directories keep their permissions. A link at `dir` itself, or at a
 * parent this call would create, is refused rather than followed (unless `allowLinks`, for a
 * link to a directory at `dir`); links higher up (an admin's /var/run -> /run) are followed,
 * and judged by the trusted-directory check.
 * Synchronous inside: a few metadata calls, shared with the SQLite store whose open is
 * synchronous.
 * @throws UnsafePathError for such a link, or for a file where the directory should be.
 */
export async function ensureDir(dir: string, mode: number = PRIVATE_DIR_MODE, options: LinkOptions = {}): Promise<void> {
  ensureDirSync(dir, mode, options);
}

export function ensureDirSync(dir: string, mode: number = PRIVATE_DIR_MODE, options: LinkOptions = {}): void {
  if (process.platform === 'win32') {
    mkdirSync(dir, { recursive: true, mode });
    return;
  }
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    const stats = lstatIfPresent(current);
    if (stats !== undefined) {
      const followed = options.allowLinks === true && stats.isSymbolicLink() ? statSync(current) : stats;
      if (missing.length === 0) requireKind(current, followed, 'directory');
      break;
    }
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) createDirectory(path, mode);
}

function createDirectory(path: string, mode: number): void {
  try {
    mkdirSync(path, { mode });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    // Made meanwhile, by another writer of ours or by someone planting a link: use it only if
    // it is a real directory, and leave its mode to whoever made it.
    requireKind(path, lstatSync(path), 'directory');
    return;
  }
  // mkdir's mode went through the umask; set it exactly, through a descriptor, not the name.
  chmodNoFollow(path, mode, 'directory');
}

/** Makes the rename durable. Windows cannot open a directory for fsync; there it is skipped. */
async function syncDir(dir: string, allowLinks: boolean): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = allowLinks ? await open(dir, 'r') : await openOwn(dir, constants.O_RDONLY, 'directory');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
