import { open, stat } from 'node:fs/promises';
import * as ini from 'ini';
import { AuthError } from '../../domain/auth-error.js';
import type { Logger } from '../../ports/logger.js';
import type { SettingsStore } from '../../ports/settings-store.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { errorCode, withFileLock } from '../fs/file-lock.js';

const FILE_MODE = 0o600;

interface Problem {
  readonly line: number;
  readonly reason: string;
}

interface Snapshot {
  readonly values: ReadonlyMap<string, string>;
  readonly problems: readonly Problem[];
  /** Identity of the file version read: inode, size and mtime, or 'missing'. */
  readonly version: string;
}

/**
 * Settings in an INI file shaped like Multipass's QSettings file: `local.passphrase` is key
 * `passphrase` in section `[local]`. Reads notice other processes' writes with one `stat`;
 * writes re-read, change one key and rewrite atomically under a file lock. A file with lines
 * this store cannot interpret is read as far as possible but never rewritten, so nothing an
 * admin wrote is silently lost.
 */
export class IniFileSettingsStore implements SettingsStore {
  private snapshot: Snapshot = { values: new Map(), problems: [], version: '' };

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
    await this.update(key, (values) => {
      if (values.get(key) === value) return false;
      values.set(key, value);
      return true;
    });
  }

  async delete(key: string): Promise<void> {
    await this.update(key, (values) => values.delete(key));
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

  /** Returns false from `change` for "nothing to do". */
  private async update(key: string, change: (values: Map<string, string>) => boolean): Promise<void> {
    try {
      await withFileLock(this.filePath, async () => {
        const before = await this.read();
        this.adopt(before);
        const values = new Map(before.values);
        if (!change(values)) return;
        const problem = before.problems[0];
        if (problem !== undefined) {
          throw new AuthError(
            'store-unavailable',
            `Refusing to rewrite the settings file '${this.filePath}': line ${problem.line}: ${problem.reason}. Fix or remove that line.`,
          );
        }
        const text = encodeSettings(values);
        requireRoundTrip(text, values, key, this.filePath);
        await writeFileAtomic(this.filePath, text, FILE_MODE);
        // The next read re-stats: recording our own version here could race with another writer.
        this.snapshot = { values, problems: [], version: '' };
      });
    } catch (error) {
      if (AuthError.is(error)) throw error;
      throw new AuthError('store-unavailable', `Cannot write the settings file '${this.filePath}': ${messageOf(error)}`, {
        cause: error,
      });
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
      return { values: new Map(), problems: [], version: this.missingOrFail(error) };
    }
    try {
      const version = versionOf(await handle.stat({ bigint: true }));
      return { ...parseSettings(await handle.readFile()), version };
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

/** What `ini` makes of the file, plus every line it would have skipped or misread. */
function parseSettings(bytes: Buffer): { values: Map<string, string>; problems: Problem[] } {
  const problems: Problem[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString('utf8');
    problems.push({ line: lineOf(text, text.indexOf('\uFFFD')), reason: 'not valid UTF-8' });
  }
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const reason = lineProblem(line);
    if (reason !== undefined) problems.push({ line: i + 1, reason });
  });
  const values = new Map<string, string>();
  flatten(ini.parse(text), '', values);
  return { values, problems };
}

/** Mirrors `ini.parse`'s line grammar, reporting lines it ignores or turns into non-strings. */
function lineProblem(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) return undefined;
  if (/^\[([^\]]*)\]\s*$/.test(line)) return undefined;
  const eq = line.indexOf('=');
  if (eq < 0) return 'not a key=value line';
  const key = ini.unsafe(line.slice(0, eq));
  if (key === '') return 'empty key';
  if (key.endsWith('[]')) return 'array keys are not supported';
  return undefined;
}

function flatten(node: Record<string, unknown>, prefix: string, into: Map<string, string>): void {
  for (const [name, value] of Object.entries(node)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    if (value !== null && typeof value === 'object') {
      if (!Array.isArray(value)) flatten(value as Record<string, unknown>, key, into);
    } else {
      // ini turns the strings true, false and null into JSON values; they were strings.
      into.set(key, String(value));
    }
  }
}

/** Keys split at their first dot into section and name, as QSettings does with `local.passphrase`. */
function encodeSettings(values: ReadonlyMap<string, string>): string {
  const topLevel: string[] = [];
  const sections = new Map<string, string[]>();
  for (const [key, value] of values) {
    const dot = key.indexOf('.');
    const name = dot < 0 ? key : key.slice(dot + 1);
    const line = `${ini.safe(name)}=${encodeValue(value)}\n`;
    if (dot < 0) {
      topLevel.push(line);
    } else {
      const section = key.slice(0, dot);
      sections.set(section, [...(sections.get(section) ?? []), line]);
    }
  }
  const parts = topLevel.length > 0 ? [topLevel.join('')] : [];
  for (const [section, lines] of sections) parts.push(`[${ini.safe(section)}]\n${lines.join('')}`);
  return parts.join('\n');
}

/** `ini.safe` loses backslashes before `;` and `#`; fall back to a JSON string, which it reads exactly. */
function encodeValue(value: string): string {
  const plain = ini.safe(value);
  return ini.unsafe(plain) === value ? plain : JSON.stringify(value);
}

/** Refuses to write what would not read back as written (keys with `=`, `[]`, clashes with sections). */
function requireRoundTrip(text: string, expected: ReadonlyMap<string, string>, key: string, file: string): void {
  const { values, problems } = parseSettings(Buffer.from(text, 'utf8'));
  const same = problems.length === 0 && values.size === expected.size && [...expected].every(([k, v]) => values.get(k) === v);
  if (!same) {
    throw new AuthError('invalid-setting', `The setting '${key}' cannot be stored in the settings file '${file}'.`);
  }
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, Math.max(0, offset)).split('\n').length;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
