import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPASS_BIN } from './binaries.js';

/**
 * Why this test process cannot run the built code as another uid (65534, say), or undefined
 * when it can: spawning as another user needs root, and that user must be able to reach the
 * checkout (a clone in a 0700 folder cannot be). The caller prints the reason and skips.
 */
export function cannotRunAsAnotherUser(builtFile: string = MULTIPASS_BIN): string | undefined {
  if (process.platform !== 'linux') return 'another user is only spawned on Linux here';
  if (process.getuid?.() !== 0) return 'spawning as another uid needs root';
  for (let dir = join(builtFile, '..'); dir !== '/'; dir = join(dir, '..')) {
    if ((statSync(dir).mode & 0o001) === 0) return `another uid cannot reach the checkout (${dir} is not searchable)`;
  }
  return undefined;
}
