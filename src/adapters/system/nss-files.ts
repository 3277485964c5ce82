import { readFile } from 'node:fs/promises';
import type { AccountDatabase } from './getent.js';

/**
 * The entry `getent` would print, read from /etc/passwd or /etc/group without running it,
 * when that is certain to be the same answer: nsswitch.conf names `files` first for the
 * database (plainly, with no action after it) and the file holds the key. glibc then answers
 * from the file and asks no other source, so this is getent's answer without a fork and exec
 * (which blocks the event loop for tens of milliseconds on a busy machine, at every daemon
 * start). Undefined means "ask getent": another source first, or not in the file.
 */
export async function filesFirstEntry(database: AccountDatabase, key: string, etc = '/etc'): Promise<string[] | undefined> {
  try {
    if (!filesComeFirst(await readFile(`${etc}/nsswitch.conf`, 'utf8'), database)) return undefined;
    const column = /^\d+$/.test(key) ? 2 : 0;
    for (const line of (await readFile(`${etc}/${database}`, 'utf8')).split('\n')) {
      const fields = line.split(':');
      if (fields.length >= 3 && fields[column] === key) return fields;
    }
  } catch {
    // no nsswitch.conf or no file: getent knows what to do
  }
  return undefined;
}

/** `group: files systemd` yes; `group: sss files`, `group: files [NOTFOUND=return] ...`, `compat` no. */
export function filesComeFirst(nsswitch: string, database: AccountDatabase): boolean {
  for (const raw of nsswitch.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^(\w+)\s*:\s*(.*)$/.exec(line);
    if (match?.[1] !== database) continue;
    const sources = (match[2] ?? '').split(/\s+/);
    return sources[0] === 'files' && !(sources[1] ?? '').startsWith('[');
  }
  return false; // glibc's default without a line is not files alone: ask getent
}
