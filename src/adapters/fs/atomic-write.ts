import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Mode for directories this module creates: store files hold who is trusted. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Replaces `path` with `data` so that a reader (or a crash) sees either the old file or the
 * new one, never a mixture: write a temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. Creates missing parent directories with `dirMode`.
 * The file gets exactly `mode`, whatever the umask. Strings are written as UTF-8.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode: number,
  options: { dirMode?: number } = {},
): Promise<void> {
  const dir = dirname(path);
  await ensureDir(dir, options.dirMode ?? PRIVATE_DIR_MODE);
  // Dot-prefixed and unique, so concurrent writers never share a temp file.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
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
  await syncDir(dir);
}

/**
 * Creates `dir` and any missing parents with exactly `mode` (umask would otherwise loosen or
 * tighten it). Existing directories keep their permissions.
 */
export async function ensureDir(dir: string, mode: number = PRIVATE_DIR_MODE): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true, mode });
  if (firstCreated === undefined || process.platform === 'win32') return;
  for (let current = dir; ; current = dirname(current)) {
    await chmod(current, mode);
    if (current === firstCreated || dirname(current) === current) return;
  }
}

/** Makes the rename durable. Windows cannot open a directory for fsync; there it is skipped. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
