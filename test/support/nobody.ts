import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPASS_BIN } from './binaries.js';

/** The unprivileged user other-user tests run a CLI as. */
export const NOBODY = 65534;

/** Why a CLI cannot run as uid 65534 here, or undefined: it needs root, Linux, and a checkout that uid can reach. */
export function nobodyCannotRun(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'spawning a CLI as uid 65534 needs root on Linux';
  for (let dir = join(MULTIPASS_BIN, '..'); dir !== '/'; dir = join(dir, '..')) {
    if ((statSync(dir).mode & 0o001) === 0) return `uid 65534 cannot reach the checkout (${dir} is not searchable)`;
  }
  return undefined;
}
