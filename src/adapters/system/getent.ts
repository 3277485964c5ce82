import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { filesFirstEntry } from './nss-files.js';

const run = promisify(execFile);

export type AccountDatabase = 'passwd' | 'group';

/**
 * One entry of the passwd or group database, split into its fields, or undefined when there is
 * none. Node has no getpwuid/getgrnam: `getent` honours NSS (LDAP, sssd); the plain files are
 * the fallback for systems without it. `key` is a name or a numeric id.
 */
export async function accountEntry(database: AccountDatabase, key: string): Promise<string[] | undefined> {
  const fromFiles = await filesFirstEntry(database, key);
  if (fromFiles !== undefined) return fromFiles;
  try {
    const { stdout } = await run('getent', [database, key], { timeout: 5000 });
    const line = stdout.split('\n')[0];
    return line === undefined || line === '' ? undefined : line.split(':');
  } catch (error) {
    // getent exits 2 for "no such entry"; only a missing getent falls back to the files.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  try {
    const column = /^\d+$/.test(key) ? 2 : 0;
    for (const line of (await readFile(`/etc/${database}`, 'utf8')).split('\n')) {
      const fields = line.split(':');
      if (fields[column] === key) return fields;
    }
  } catch {
    // no such file: nothing to resolve against
  }
  return undefined;
}
