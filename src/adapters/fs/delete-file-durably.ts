import { open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorCode } from './file-lock.js';

/**
 * Removes `path` (a missing file is fine) and syncs its directory, so that the removal
 * survives a crash as an atomic write's rename does. Windows cannot sync a directory.
 */
export async function deleteFileDurably(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
  if (process.platform === 'win32') return;
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
