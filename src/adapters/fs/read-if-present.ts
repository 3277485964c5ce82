import { constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { errorCode } from './error-code.js';
import { openOwn } from './no-follow.js';

/**
 * The file's text, or undefined when it does not exist; any other read error is a real failure.
 * A link at `path` is refused (UnsafePathError) unless `followLinks` is set: the daemon reads
 * only files of its own, while a user's CLI may have linked its files wherever it likes.
 */
export async function readIfPresent(path: string, options: { followLinks?: boolean } = {}): Promise<string | undefined> {
  try {
    if (options.followLinks === true) return await readFile(path, 'utf8');
    const handle = await openOwn(path, constants.O_RDONLY);
    try {
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
