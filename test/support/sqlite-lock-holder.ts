import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

const SCRIPT = `
  const Database = require(process.argv[1]);
  const db = new Database(process.argv[2]);
  db.exec('BEGIN IMMEDIATE');
  process.stdout.write('locked\\n');
  setTimeout(() => {
    db.exec('COMMIT');
    db.close();
  }, Number(process.argv[3]));`;

export interface HeldLock {
  /** Resolves when the holder has committed and exited. */
  readonly released: Promise<void>;
}

/**
 * Another process (plain node + better-sqlite3, as an admin's script would be) takes the
 * database's write lock with BEGIN IMMEDIATE and holds it for `holdMs`. Resolves once it holds it.
 */
export function holdSqliteWriteLock(path: string, holdMs: number): Promise<HeldLock> {
  const child = spawn(process.execPath, ['-e', SCRIPT, BETTER_SQLITE3, path, String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<void>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the lock holder exited with ${code}`)))),
  );
  return new Promise((resolve, reject) => {
    released.catch(reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve({ released });
    });
  });
}

/** The longest gap between ticks of a 5 ms timer while `work` runs: how long the event loop was blocked. */
export async function longestEventLoopStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { result, stallMs };
  } finally {
    clearInterval(timer);
  }
}
