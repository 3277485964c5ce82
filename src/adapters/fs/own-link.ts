import { readlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { lstatIfPresent, requireAbsentOr } from './no-follow.js';
import { requireTrustedDirectory, type DirectoryRole } from './trusted-directory.js';
import { UnsafePathError } from './unsafe-path-error.js';

// Linux's limit (MAXSYMLINKS).
const MAX_LINKS = 40;

/**
 * Where a symbolic link an admin made at one of our files leads, for writing its content
 * there: admins link `multipassd.conf` to where they keep configuration. Followed only when
 * every link on the way is owned by root or the daemon's user and sits in a directory nobody
 * else can change, and the file it ends at is a regular file (or absent) in such a directory:
 * a link planted by another user is refused, as everywhere else. Nothing is ever chmod-ed or
 * chown-ed through it. `path` itself when it is not a link.
 * @throws UnsafePathError naming the link or directory refused, and the fix.
 */
export function resolveOwnLink(path: string, role: DirectoryRole): string {
  const uid = process.platform === 'win32' ? undefined : process.geteuid?.();
  let current = resolve(path);
  for (let hops = 0; ; hops++) {
    const stats = lstatIfPresent(current);
    if (stats === undefined || !stats.isSymbolicLink()) break;
    if (hops >= MAX_LINKS) throw new UnsafePathError(current, `Refusing to use '${path}': it leads through too many symbolic links.`);
    if (uid !== undefined && stats.uid !== 0 && stats.uid !== uid) {
      throw new UnsafePathError(
        current,
        `Refusing to use '${current}': it is a symbolic link owned by uid ${stats.uid}, and multipassd follows a link ` +
          `at its settings file only when root${uid === 0 ? '' : ` or uid ${uid}`} made it (another user's link could ` +
          `make it write elsewhere). Replace the link with the real file, or have root recreate it.`,
      );
    }
    requireTrustedDirectory(dirname(current), role);
    current = resolve(dirname(current), readlinkSync(current));
  }
  requireAbsentOr(current, 'regular file');
  if (current !== resolve(path)) requireTrustedDirectory(dirname(current), role);
  return current;
}

/**
 * `writeFileAtomic` for a file that may be an admin's link (see `resolveOwnLink`): the new
 * content replaces the file the link leads to (temp file in that file's directory, fsync,
 * rename, fsync of the directory) and the link stays as it was.
 */
export async function writeThroughOwnLink(path: string, data: string | Uint8Array, mode: number, role: DirectoryRole): Promise<void> {
  await writeFileAtomic(resolveOwnLink(path, role), data, mode);
}
