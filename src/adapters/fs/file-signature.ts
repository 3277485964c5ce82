import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';

/**
 * A file's identity as far as "has it changed?" goes: inode, size, mtime and ctime (ctime, so
 * that a chmod making an unreadable file readable counts), or undefined when it is missing.
 */
export async function fileSignature(path: string): Promise<string | undefined> {
  try {
    return signatureOf(await stat(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** The same signature from stats already at hand (an fstat of an open descriptor). */
export function signatureOf(info: BigIntStats): string {
  return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}
