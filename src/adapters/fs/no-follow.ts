import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { errorCode } from './error-code.js';
import { symlinkRefusal, UnsafePathError, wrongTypeRefusal } from './unsafe-path-error.js';

/*
 * Acting on one of our own files or directories by name without ever following a symbolic
 * link at the last component: lstat before acting, O_NOFOLLOW when opening, and fchmod on the
 * descriptor rather than chmod on the name. Links higher up the path are the trusted-directory
 * check's business. The flags are 0 where the platform lacks them (Windows, which also has no
 * modes to protect).
 */

export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
// Opening a FIFO for reading would otherwise wait for a writer.
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
/** Open flags for a file that must be new: O_EXCL already refuses a link there; O_NOFOLLOW says so. */
export const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;

type Expected = 'regular file' | 'directory';

export function lstatIfPresent(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** In words, for a message: "a symbolic link", "a FIFO"... */
export function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFile()) return 'a regular file';
  if (stats.isSocket()) return 'a socket';
  if (stats.isFIFO()) return 'a FIFO';
  return 'a device file';
}

/** Throws UnsafePathError unless `stats` (from lstat) is the kind of thing we keep at `path`. */
export function requireKind(path: string, stats: Stats, expected: Expected): void {
  if (stats.isSymbolicLink()) throw symlinkRefusal(path);
  if (expected === 'directory' ? !stats.isDirectory() : !stats.isFile()) throw wrongTypeRefusal(path, expected, kindOf(stats));
}

/** Throws UnsafePathError when a link is at `path`. */
export function refuseLink(path: string): void {
  if (lstatIfPresent(path)?.isSymbolicLink() === true) throw symlinkRefusal(path);
}

/** Throws UnsafePathError when something other than `expected` (a link above all) is at `path`; nothing there is fine. */
export function requireAbsentOr(path: string, expected: Expected): void {
  const stats = lstatIfPresent(path);
  if (stats !== undefined) requireKind(path, stats, expected);
}

/**
 * Opens one of our regular files (or directories) for `flags`, refusing a link or anything
 * else there. The lstat comes first so that a device or FIFO is never opened at all; the
 * descriptor is then checked to be the very file that lstat saw.
 * @throws ENOENT when absent, UnsafePathError when refused.
 */
export async function openOwn(path: string, flags: number, expected: Expected = 'regular file'): Promise<FileHandle> {
  const seen = lstatSync(path);
  requireKind(path, seen, expected);
  const extra = expected === 'directory' ? O_DIRECTORY : O_NONBLOCK;
  const handle = await open(path, flags | extra | O_NOFOLLOW).catch((error: unknown) => {
    throw refusalFor(path, error);
  });
  try {
    requireSameFile(path, seen, await handle.stat());
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Sets the mode of one of our files or directories through a descriptor opened without
 * following a link, so that a link planted at `path` cannot redirect the chmod elsewhere.
 */
export function chmodNoFollow(path: string, mode: number, expected: Expected): void {
  if (process.platform === 'win32') return;
  const seen = lstatSync(path);
  requireKind(path, seen, expected);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | O_NOFOLLOW | (expected === 'directory' ? O_DIRECTORY : O_NONBLOCK));
  } catch (error) {
    throw refusalFor(path, error);
  }
  try {
    requireSameFile(path, seen, fstatSync(fd));
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/** A link swapped in between lstat and open: O_NOFOLLOW answers ELOOP (ENOTDIR with O_DIRECTORY). */
function refusalFor(path: string, error: unknown): unknown {
  const code = errorCode(error);
  if (code !== 'ELOOP' && code !== 'ENOTDIR' && code !== 'EMLINK') return error;
  const stats = lstatIfPresent(path);
  return stats?.isSymbolicLink() ? symlinkRefusal(path) : error;
}

function requireSameFile(path: string, seen: Stats, opened: Stats): void {
  if (seen.dev !== opened.dev || seen.ino !== opened.ino) {
    throw new UnsafePathError(path, `Refusing to use '${path}': it was replaced while multipassd was opening it. Check who else writes to its directory.`);
  }
}
