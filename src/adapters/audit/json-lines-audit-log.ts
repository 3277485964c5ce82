import { constants, createReadStream } from 'node:fs';
import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { AuditLog, AuditReadResult } from '../../ports/audit-log.js';
import { ensureDir, PRIVATE_DIR_MODE } from '../fs/atomic-write.js';
import { errorCode } from '../fs/error-code.js';
import { withFileLock } from '../fs/file-lock.js';
import { O_NOFOLLOW, openOwn, requireKind } from '../fs/no-follow.js';
import { decodeAuditLine, encodeAuditLine } from './audit-line.js';

const FILE_MODE = 0o600;
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | O_NOFOLLOW | (constants.O_NONBLOCK ?? 0);

export interface AuditRotation {
  /** A file that would grow past this many bytes is rotated first. */
  readonly maxBytes: number;
  /** Rotated files kept: `audit.log.1` (newest) to `audit.log.<keep>` (oldest). At least 1. */
  readonly keep: number;
}

export const DEFAULT_AUDIT_ROTATION: AuditRotation = { maxBytes: 10 * 1024 * 1024, keep: 5 };

/**
 * The audit log as JSON lines in `<data>/audit.log` (mode 0600, never through a link). Each
 * event is one write(2) of one line on a descriptor opened with O_APPEND, so appends from the
 * daemon and an offline admin command never interleave or overwrite each other, and the file
 * is opened per append, so no process keeps writing to a file another has rotated. A file
 * that would grow past `maxBytes` is rotated (`audit.log` -> `.1` -> `.2` ...) under a file
 * lock; the rotating process looks again under the lock, so two never rotate for one reason.
 */
export class JsonLinesAuditLog implements AuditLog {
  /** One append at a time from this process, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly filePath: string,
    private readonly rotation: AuditRotation = DEFAULT_AUDIT_ROTATION,
  ) {}

  location(): string {
    return this.filePath;
  }

  append(event: AuditEvent): Promise<void> {
    const line = Buffer.from(encodeAuditLine(event), 'utf8');
    const run = this.queue.then(() => this.appendLine(line));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async read(options: { readonly since?: Date } = {}): Promise<AuditReadResult> {
    const since = options.since?.getTime();
    const events: AuditEvent[] = [];
    let skipped = 0;
    for (const path of this.filesOldestFirst()) {
      const handle = await openOwn(path, constants.O_RDONLY).catch((error: unknown) => {
        if (errorCode(error) === 'ENOENT') return undefined;
        throw error;
      });
      if (handle === undefined) continue;
      // Every line of a file last written before `since` is older still.
      if (since !== undefined && (await handle.stat()).mtimeMs < since) {
        await handle.close();
        continue;
      }
      const lines = createInterface({ input: createReadStream('', { fd: handle.fd, autoClose: false }), crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          if (line.trim() === '') continue;
          const event = decodeAuditLine(line);
          if (event === undefined) skipped += 1;
          else if (since === undefined || event.time.getTime() >= since) events.push(event);
        }
      } finally {
        lines.close();
        await handle.close();
      }
    }
    return { events, skipped };
  }

  private filesOldestFirst(): string[] {
    const rotated = Array.from({ length: this.rotation.keep }, (_, i) => `${this.filePath}.${this.rotation.keep - i}`);
    return [...rotated, this.filePath];
  }

  private async appendLine(line: Buffer): Promise<void> {
    await ensureDir(dirname(this.filePath), PRIVATE_DIR_MODE);
    let handle = await this.openForAppend();
    try {
      const { size } = await handle.stat();
      if (size > 0 && size + line.length > this.rotation.maxBytes) {
        await handle.close();
        await this.rotate(line.length);
        handle = await this.openForAppend();
      }
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** Opened for appending, refusing a link or anything but a regular file, with mode 0600 whatever the umask. */
  private async openForAppend(): Promise<FileHandle> {
    const handle = await open(this.filePath, APPEND, FILE_MODE);
    try {
      const info = await handle.stat();
      requireKind(this.filePath, info, 'regular file');
      if (process.platform !== 'win32' && (info.mode & 0o777) !== FILE_MODE) await handle.chmod(FILE_MODE);
      return handle;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private async rotate(lineLength: number): Promise<void> {
    await withFileLock(this.filePath, async () => {
      // Another process may have rotated while we waited for the lock.
      const size = await stat(this.filePath).then((info) => info.size, () => 0);
      if (size === 0 || size + lineLength <= this.rotation.maxBytes) return;
      for (let i = this.rotation.keep - 1; i >= 1; i -= 1) await renameIfPresent(`${this.filePath}.${i}`, `${this.filePath}.${i + 1}`);
      await renameIfPresent(this.filePath, `${this.filePath}.1`);
    });
  }
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  await rename(from, to).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
}
