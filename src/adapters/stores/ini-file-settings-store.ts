import { open, stat } from 'node:fs/promises';
import { AuthError } from '../../domain/auth-error.js';
import type { Logger } from '../../ports/logger.js';
import type { SettingsStore } from '../../ports/settings-store.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { errorCode, withFileLock } from '../fs/file-lock.js';
import { lstatIfPresent } from '../fs/no-follow.js';
import { writeThroughOwnLink } from '../fs/own-link.js';
import { IniDocument, IniLineError, type IniProblem } from './ini-document.js';

const FILE_MODE = 0o600;
/** For refusals of the directory an admin's link at the settings file leads to. */
export const SETTINGS_LINK_TARGET = { name: 'the directory the settings file links to', option: '--data-dir' };

interface Snapshot {
  readonly document: IniDocument;
  readonly values: ReadonlyMap<string, string>;
  readonly problems: readonly IniProblem[];
  /** Identity of the file version read: inode, size and mtime, or 'missing'. */
  readonly version: string;
}

const EMPTY = IniDocument.parse(Buffer.alloc(0));

/**
 * Settings in Multipass's own file format: the QSettings INI file `multipassd.conf`, where
 * `local.passphrase` is key `local.passphrase` of the `[General]` group (see IniDocument,
 * which also reads the `[local]`/`passphrase` form earlier versions of this project wrote and
 * moves it on the next write). Reads notice other processes' writes with one `stat`; writes
 * re-read under a file lock and change only the line of the key, so comments, other groups
 * and keys, and lines this store cannot interpret stay byte for byte. When the file is a
 * symbolic link an admin made, the file it leads to is replaced (see resolveOwnLink).
 */
export class IniFileSettingsStore implements SettingsStore {
  private snapshot: Snapshot = { document: EMPTY, values: new Map(), problems: [], version: '' };

  constructor(
    private readonly filePath: string,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {
    await this.current();
  }

  location(): string {
    return this.filePath;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.current()).values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    requireStorableKey(key, this.filePath);
    await this.update(key, (document) => {
      const values = document.values();
      // Unchanged and in [General] already: nothing to write. (A key in the older form is moved.)
      if (values.get(key) === value && !document.hasLegacy(key)) return undefined;
      values.set(key, value);
      return { bytes: document.withValue(key, value), values };
    });
  }

  async delete(key: string): Promise<void> {
    await this.update(key, (document) => {
      const bytes = document.without(key);
      if (bytes === undefined) return undefined;
      const values = document.values();
      values.delete(key);
      return { bytes, values };
    });
  }

  async entries(): Promise<ReadonlyArray<readonly [string, string]>> {
    return [...(await this.current()).values];
  }

  async close(): Promise<void> {}

  /** The cached snapshot, re-read first if the file changed since. */
  private async current(): Promise<Snapshot> {
    const version = await this.versionOnDisk();
    if (version !== this.snapshot.version) this.adopt(await this.read());
    return this.snapshot;
  }

  private adopt(snapshot: Snapshot): void {
    if (snapshot.version !== this.snapshot.version) {
      for (const { line, reason } of snapshot.problems) {
        this.logger.warn(`cannot interpret ${this.filePath}:${line}: ${reason}`, { file: this.filePath, line, reason });
      }
    }
    this.snapshot = snapshot;
  }

  /** `change` answers undefined for "nothing to do", else the new file and what it must read back as. */
  private async update(
    key: string,
    change: (document: IniDocument) => { bytes: Buffer; values: Map<string, string> } | undefined,
  ): Promise<void> {
    try {
      await withFileLock(this.filePath, async () => {
        const before = await this.read();
        this.adopt(before);
        let next;
        try {
          next = change(before.document);
        } catch (error) {
          if (!(error instanceof IniLineError)) throw error;
          throw new AuthError(
            'store-unavailable',
            `Refusing to write '${key}' to the settings file '${this.filePath}': line ${error.line} may hold it but cannot be read ` +
              `(${error.reason}). Fix or remove that line.`,
          );
        }
        if (next === undefined) return;
        requireRoundTrip(next.bytes, next.values, before.problems.length, key, this.filePath);
        await this.write(next.bytes);
        // The next read re-stats: recording our own version here could race with another writer.
        const written = IniDocument.parse(next.bytes);
        this.snapshot = { document: written, values: next.values, problems: written.problems(), version: '' };
      });
    } catch (error) {
      if (AuthError.is(error)) throw error;
      throw new AuthError('store-unavailable', `Cannot write the settings file '${this.filePath}': ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /** An admin's link at the file is written through (to the file it leads to), never replaced. */
  private async write(bytes: Buffer): Promise<void> {
    if (lstatIfPresent(this.filePath)?.isSymbolicLink() === true) {
      await writeThroughOwnLink(this.filePath, bytes, FILE_MODE, SETTINGS_LINK_TARGET);
    } else {
      await writeFileAtomic(this.filePath, bytes, FILE_MODE);
    }
  }

  private async versionOnDisk(): Promise<string> {
    try {
      return versionOf(await stat(this.filePath, { bigint: true }));
    } catch (error) {
      return this.missingOrFail(error);
    }
  }

  /** Content and version through one handle, so they describe the same file. */
  private async read(): Promise<Snapshot> {
    let handle;
    try {
      handle = await open(this.filePath, 'r');
    } catch (error) {
      return { document: EMPTY, values: new Map(), problems: [], version: this.missingOrFail(error) };
    }
    try {
      const version = versionOf(await handle.stat({ bigint: true }));
      const document = IniDocument.parse(await handle.readFile());
      return { document, values: document.values(), problems: document.problems(), version };
    } catch (error) {
      throw new AuthError('store-unavailable', `Cannot read the settings file '${this.filePath}': ${messageOf(error)}`, { cause: error });
    } finally {
      await handle.close();
    }
  }

  private missingOrFail(error: unknown): string {
    if (errorCode(error) === 'ENOENT') return 'missing';
    throw new AuthError('store-unavailable', `Cannot read the settings file '${this.filePath}': ${messageOf(error)}`, { cause: error });
  }
}

function versionOf(stats: { ino: bigint; size: bigint; mtimeNs: bigint }): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

/** Keys the file cannot hold: none at all, and `/`, which QSettings reads as a group separator. */
function requireStorableKey(key: string, file: string): void {
  if (key === '' || key.includes('/')) {
    throw new AuthError('invalid-setting', `The setting '${key}' cannot be stored in the settings file '${file}'.`);
  }
}

/** Refuses to write what would not read back as meant: every value as expected, no line newly unreadable. */
function requireRoundTrip(bytes: Buffer, expected: ReadonlyMap<string, string>, problems: number, key: string, file: string): void {
  const document = IniDocument.parse(bytes);
  const values = document.values();
  const same =
    document.problems().length <= problems && values.size === expected.size && [...expected].every(([k, v]) => values.get(k) === v);
  if (!same) {
    throw new AuthError('invalid-setting', `The setting '${key}' cannot be stored in the settings file '${file}'.`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
