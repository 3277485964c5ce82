import { statSync } from 'node:fs';

/** Both paths exist and name the same file (links followed): copying one onto the other is a no-op. */
export function sameFile(a: string, b: string): boolean {
  const first = statSync(a, { throwIfNoEntry: false });
  const second = statSync(b, { throwIfNoEntry: false });
  return first !== undefined && second !== undefined && first.dev === second.dev && first.ino === second.ino;
}
