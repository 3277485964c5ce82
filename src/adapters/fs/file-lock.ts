import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDir, PRIVATE_DIR_MODE } from './atomic-write.js';
import { errorCode } from './error-code.js';
import { CREATE_NEW, openOwn } from './no-follow.js';
import { isProcessAlive } from '../system/process-alive.js';

export { errorCode } from './error-code.js';

export interface FileLockOptions {
  /** A lock whose file has not been touched for this long is taken over. Default 30 s. */
  readonly staleAfterMs?: number;
  /** Give up waiting after this long. Default 60 s. */
  readonly timeoutMs?: number;
  /** Mode for the lock file's directory if it has to be created. Default 0700. */
  readonly dirMode?: number;
}

/** Lock holders in this process, per lock file, so that callers here queue instead of polling. */
const localQueues = new Map<string, Promise<void>>();

/**
 * Runs `work` while holding an advisory lock on `path`: the file `path + '.lock'`, created with
 * O_EXCL. The daemon and an offline admin command may rewrite the same store file; each must
 * re-read, merge and rewrite under this lock so that neither drops the other's change.
 * A lock whose holder has died (same host, pid gone) or that is older than `staleAfterMs` is
 * taken over; the holder touches the file while it works, so a slow holder is not mistaken for
 * a dead one. The lock file is never reached through a link: one planted at its name is
 * refused (UnsafePathError), not read, touched or taken over.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lockPath = lockPathOf(path);
  const previous = localQueues.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const tail = previous.then(() => new Promise<void>((done) => (release = done)));
  localQueues.set(lockPath, tail);
  await previous;
  try {
    return await holdLock(lockPath, work, options);
  } finally {
    release();
    if (localQueues.get(lockPath) === tail) localQueues.delete(lockPath);
  }
}

/** The lock file that guards `path`. */
export function lockPathOf(path: string): string {
  return `${resolve(path)}.lock`;
}

async function holdLock<T>(lockPath: string, work: () => Promise<T>, options: FileLockOptions): Promise<T> {
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const token = `${process.pid}\n${hostname()}\n${randomBytes(8).toString('hex')}\n`;
  await ensureDir(dirname(lockPath), options.dirMode ?? PRIVATE_DIR_MODE);
  const lock = await acquire(lockPath, token, staleAfterMs, options.timeoutMs ?? 60_000);
  // Touched through our own descriptor: whatever is at the name later, only our file moves.
  const heartbeat = setInterval(() => {
    const now = new Date();
    lock.utimes(now, now).catch(() => undefined);
  }, Math.max(10, staleAfterMs / 3));
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await lock.close().catch(() => undefined);
    // Only remove our own lock: if it was taken over, the file now belongs to someone else.
    const current = await readLock(lockPath).catch(() => undefined);
    if (current?.content === token) await unlink(lockPath).catch(() => undefined);
  }
}

async function acquire(lockPath: string, token: string, staleAfterMs: number, timeoutMs: number): Promise<FileHandle> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 5;
  for (;;) {
    const lock = await tryCreate(lockPath, token);
    if (lock !== undefined) return lock;
    if (await removeIfStale(lockPath, staleAfterMs)) continue;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for the lock file '${lockPath}'`);
    }
    await sleep(delayMs + Math.random() * delayMs);
    delayMs = Math.min(delayMs * 2, 100);
  }
}

/** The open lock file, or undefined when someone else's is there. */
async function tryCreate(lockPath: string, token: string): Promise<FileHandle | undefined> {
  let handle;
  try {
    handle = await open(lockPath, CREATE_NEW, 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return undefined;
    throw error;
  }
  try {
    await handle.writeFile(token);
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw error;
  }
}

/** True when the lock file is gone or was stale and has been removed: try again at once. */
async function removeIfStale(lockPath: string, staleAfterMs: number): Promise<boolean> {
  const seen = await readLock(lockPath);
  if (seen === undefined) return true;
  if (!isStale(seen, staleAfterMs)) return false;
  // Re-read just before removing, so a lock that was replaced meanwhile is left alone.
  const again = await readLock(lockPath);
  if (again === undefined) return true;
  if (again.content !== seen.content || again.mtimeMs !== seen.mtimeMs) return false;
  await unlink(lockPath).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
  return true;
}

interface LockState {
  readonly content: string;
  readonly mtimeMs: number;
}

function isStale(lock: LockState, staleAfterMs: number): boolean {
  if (Date.now() - lock.mtimeMs > staleAfterMs) return true;
  const [pidText, host] = lock.content.split('\n');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0) return false;
  // Holders in this process queue in localQueues, so a lock file naming our pid was left by an
  // earlier process that had the same pid (common in containers after a restart).
  return pid === process.pid || !isProcessAlive(pid);
}


/** Content and mtime read through one handle, so they belong to the same file. */
async function readLock(lockPath: string): Promise<LockState | undefined> {
  let handle;
  try {
    handle = await openOwn(lockPath, constants.O_RDONLY);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    return { content: await handle.readFile('utf8'), mtimeMs: stats.mtimeMs };
  } finally {
    await handle.close();
  }
}
