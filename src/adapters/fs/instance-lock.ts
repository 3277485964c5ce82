import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { libcAvailable, tryLockExclusive, unlock } from '../system/libc.js';
import { errorCode } from './file-lock.js';
import { isProcessAlive } from '../system/process-alive.js';

/** Another process holds the lock; the message names it (by pid, when it could be read) and the path. */
export class InstanceLockedError extends Error {
  override name = 'InstanceLockedError';

  constructor(
    message: string,
    readonly lockPath: string,
    readonly holderPid: number | undefined,
  ) {
    super(message);
  }
}

export interface InstanceLock {
  readonly path: string;
  /** Idempotent. */
  release(): void;
}

/** Builds the refusal from the holder's description: "pid 1234", or "a process" when unknown. */
export type ConflictMessage = (holder: string) => string;

/** How long a loser waits for the winner of a simultaneous start to write its pid. */
const PID_WAIT_MS = 200;

/**
 * Takes a lock only one process may hold at a time, and writes this process's pid in the file
 * for whoever finds it taken. Never waits: a second daemon must fail at once, before it writes
 * anything. An flock, which the kernel releases when its holder dies however it dies, so a
 * lock file left behind never keeps a daemon from starting; the file itself stays (removing it
 * would let two processes lock two different files of the same name). Where flock is not
 * available (Windows), a pid file created with O_EXCL, taken over when its pid is dead.
 * @throws InstanceLockedError when another process holds the lock.
 */
export async function acquireInstanceLock(path: string, conflict: ConflictMessage): Promise<InstanceLock> {
  if (!libcAvailable()) return acquirePidFile(path, conflict);
  // No symlinks followed and nothing truncated before the lock is ours: in a shared directory
  // the name may have been planted by someone else.
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o644);
  try {
    requireOwnRegularFile(fd, path);
    if (tryLockExclusive(fd) !== true) {
      const pid = await holderPid(fd);
      throw new InstanceLockedError(conflict(describeHolder(pid)), path, pid);
    }
    writePid(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let held = true;
  return {
    path,
    release: () => {
      if (!held) return;
      held = false;
      // Emptied first, so the next holder's pid is never confused with ours; closing unlocks.
      try {
        ftruncateSync(fd, 0);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * Whether a process holds the lock at `path`, without keeping it: for commands that run beside
 * the daemon and should say when it is running. Never creates the file. The probe holds the
 * lock for an instant when it is free; a daemon starting in that instant is told another holds
 * it, as for any simultaneous start.
 * @returns the holder (its pid when written), or undefined when nobody holds it.
 */
export async function instanceLockHolder(path: string): Promise<{ pid: number | undefined } | undefined> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
  try {
    const taken = tryLockExclusive(fd);
    if (taken === true) {
      unlock(fd);
      return undefined;
    }
    const pid = await holderPid(fd);
    // Without flock (Windows) the file is a pid file: held while its pid lives.
    if (taken === undefined) return pid !== undefined && isProcessAlive(pid) ? { pid } : undefined;
    return { pid };
  } finally {
    closeSync(fd);
  }
}

function requireOwnRegularFile(fd: number, path: string): void {
  const info = fstatSync(fd);
  const uid = process.geteuid?.();
  if (!info.isFile() || info.nlink !== 1 || (uid !== undefined && info.uid !== uid)) {
    throw new InstanceLockedError(
      `refusing to use the lock file '${path}': it is not a regular file of this user with a single name. Delete it and start again`,
      path,
      undefined,
    );
  }
}

function writePid(fd: number): void {
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`, 0);
}

/** The holder's pid; a holder that has only just locked may not have written it yet, so wait a little. */
async function holderPid(fd: number): Promise<number | undefined> {
  const deadline = Date.now() + PID_WAIT_MS;
  for (;;) {
    const buffer = Buffer.alloc(32);
    const pid = parsePid(buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0)));
    if (pid !== undefined || Date.now() > deadline) return pid;
    await sleep(10);
  }
}

async function acquirePidFile(path: string, conflict: ConflictMessage): Promise<InstanceLock> {
  for (let attempt = 0; ; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      const pid = await pidInFile(path);
      if (attempt === 0 && (pid === undefined || !isProcessAlive(pid))) {
        unlinkSync(path);
        continue;
      }
      throw new InstanceLockedError(conflict(describeHolder(pid)), path, pid);
    }
    try {
      writePid(fd);
    } finally {
      closeSync(fd);
    }
    let held = true;
    return {
      path,
      release: () => {
        if (held) unlinkSync(path);
        held = false;
      },
    };
  }
}

async function pidInFile(path: string): Promise<number | undefined> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return await holderPid(fd);
  } finally {
    closeSync(fd);
  }
}

function parsePid(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

const describeHolder = (pid: number | undefined): string => (pid === undefined ? 'a process' : `pid ${pid}`);

