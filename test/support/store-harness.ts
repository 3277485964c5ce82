import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RecordingLoggerFake } from './fakes/recording-logger-fake.js';
import { makeTempDir } from './temp-dir.js';

interface Loadable {
  load(): Promise<void>;
  close(): Promise<void>;
}

/** A contract harness over one file in a fresh data dir, plus what adapter specifics need. */
export interface StoreHarness<S extends Loadable> {
  readonly filePath: string;
  readonly logger: RecordingLoggerFake;
  /** A loaded store over the harness's file, with the harness's logger or one of its own. */
  open(logger?: RecordingLoggerFake): Promise<S>;
  /** Closes `store` at dispose, for stores a case builds itself. */
  track<T extends { close(): Promise<void> }>(store: T): T;
  create(): Promise<S>;
  reopen(): Promise<S>;
  /** Leaves the backing file existing but empty (zero bytes), as a truncation would. */
  corrupt(): Promise<void>;
  /** Deletes the backing file, and SQLite's journal files next to it: a fresh start. */
  erase(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * One harness maker for every file- or database-backed store: a fresh temp data dir per
 * case, every instance opened over the same file, all closed and removed at dispose.
 */
export function storeHarness<S extends Loadable>(
  prefix: string,
  pathIn: (dataDir: string) => string,
  make: (filePath: string, logger: RecordingLoggerFake) => S,
): () => Promise<StoreHarness<S>> {
  return async () => {
    const temp = makeTempDir(prefix);
    const filePath = pathIn(join(temp.path, 'data'));
    const logger = new RecordingLoggerFake();
    const opened: Array<{ close(): Promise<void> }> = [];
    const track = <T extends { close(): Promise<void> }>(store: T): T => {
      opened.push(store);
      return store;
    };
    const open = async (own: RecordingLoggerFake = logger): Promise<S> => {
      const store = track(make(filePath, own));
      await store.load();
      return store;
    };
    return {
      filePath,
      logger,
      open,
      track,
      create: () => open(),
      reopen: () => open(),
      async corrupt() {
        mkdirSync(dirname(filePath), { recursive: true });
        writeFileSync(filePath, '');
      },
      async erase() {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${filePath}${suffix}`, { force: true });
      },
      async dispose() {
        await Promise.all(opened.map((store) => store.close()));
        temp.remove();
      },
    };
  };
}

/**
 * Memory is the in-memory stores' only backing data, so "another instance over the same
 * data" is the same instance: the cross-instance cases then check it against itself.
 */
export function inMemoryHarness<S extends Loadable>(make: () => S) {
  return async () => {
    let store: S | undefined;
    return {
      async create() {
        store = make();
        await store.load();
        return store;
      },
      async reopen() {
        if (store === undefined) throw new Error('create() first');
        return store;
      },
      async dispose() {
        await store?.close();
      },
    };
  };
}
