import { stat } from 'node:fs/promises';

/**
 * A file's identity as far as "has it changed?" goes: inode, size, mtime and ctime (ctime, so
 * that a chmod making an unreadable file readable counts), or undefined when it is missing.
 */
export async function fileSignature(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch {
    return undefined;
  }
}
