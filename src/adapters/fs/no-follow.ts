import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { errorCode } from './error-code.js';
import { symlinkRefusal, wrongTypeRefusal } from './unsafe-path-error.js';

/*
 * Acting on one of our own files or directories without ever following a symbolic link at
 * the last component: O_NOFOLLOW when opening, then fstat and fchmod on the descriptor rather
 * than stat and chmod on the name; lstat where there is nothing to open. Links higher up the
 * path are the trusted-directory check's business. The flags are 0 where the platform lacks
 * them (Windows, which also has no modes to protect).
 */

export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_NOCTTY = constants.O_NOCTTY ?? 0;
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

/** Throws UnsafePathError unless `stats` (from lstat or fstat) is the kind of thing we keep at `path`. */
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
 * else there. Checked on the descriptor (fstat), so that nothing can change between the check
 * and the use; O_NONBLOCK and O_NOCTTY keep a FIFO or a terminal from blocking or adopting us
 * before we see what it is.
 * @throws ENOENT when absent, UnsafePathError when refused.
 */
export async function openOwn(path: string, flags: number, expected: Expected = 'regular file'): Promise<FileHandle> {
  const handle = await open(path, flags | openFlags(expected)).catch((error: unknown) => {
    throw refusalFor(path, error, expected);
  });
  try {
    requireKind(path, await handle.stat(), expected);
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
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | openFlags(expected));
  } catch (error) {
    throw refusalFor(path, error, expected);
  }
  try {
    requireKind(path, fstatSync(fd), expected);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

function openFlags(expected: Expected): number {
  return O_NOFOLLOW | (expected === 'directory' ? O_DIRECTORY : O_NONBLOCK | O_NOCTTY);
}

/** O_NOFOLLOW answers ELOOP for a link (ENOTDIR with O_DIRECTORY, as for a file): say which. */
function refusalFor(path: string, error: unknown, expected: Expected): unknown {
  const code = errorCode(error);
  if (code !== 'ELOOP' && code !== 'ENOTDIR' && code !== 'EMLINK') return error;
  const stats = lstatIfPresent(path);
  if (stats === undefined) return error;
  try {
    requireKind(path, stats, expected);
  } catch (refusal) {
    return refusal;
  }
  return error;
}
