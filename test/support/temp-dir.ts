import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory for one test case. Call in `beforeEach`; the returned function removes it.
 * Unix socket paths are limited to ~107 bytes, so keep the prefix short.
 */
export function makeTempDir(prefix = 'mpa-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  // Retries: a daemon that is still stopping may write one last file while the dir goes.
  return { path, remove: () => rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }) };
}
