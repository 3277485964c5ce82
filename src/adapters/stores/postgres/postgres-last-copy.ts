import { isFingerprint, type Fingerprint } from '../../../domain/fingerprint.js';
import type { Logger } from '../../../ports/logger.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { readIfPresent } from '../../fs/read-if-present.js';
import { dateOf } from '../stored-date.js';

const FORMAT = 'multipassd-postgres-last-copy';
const FILE_MODE = 0o600;

/** The trusted fingerprints as last read from the database. */
export interface TrustSnapshot {
  readonly version: number;
  readonly fingerprints: ReadonlySet<Fingerprint>;
  readonly savedAt: Date;
}

/**
 * This host's copy of the fleet's trusted fingerprints, on disk (`<data>/postgres-last-copy.json`,
 * mode 0600), so that a daemon (re)started while the database is unreachable still lets in
 * everyone who was trusted: it is only read then, and only if it was taken from the same
 * database (`target`). Written after every change the daemon applies, one write at a time,
 * coalesced; a failure to write it is a warning, never a failed change. Fingerprints only:
 * that is all a trust check needs, and certificates stay in the database.
 */
export class PostgresLastCopy {
  private pending: TrustSnapshot | undefined;
  private writing: Promise<void> | undefined;
  private warned = false;

  constructor(
    readonly path: string,
    private readonly target: string,
    private readonly logger: Logger,
  ) {}

  /** The copy, when there is one of this database that can be read; a damaged one is a warning. */
  async read(): Promise<TrustSnapshot | undefined> {
    let text: string | undefined;
    try {
      text = await readIfPresent(this.path);
    } catch (error) {
      this.logger.warn(`cannot read the last copy of the trusted certificates '${this.path}': ${(error as Error).message}`, { file: this.path });
      return undefined;
    }
    if (text === undefined) return undefined;
    const snapshot = snapshotOf(text, this.target);
    if (snapshot === undefined) {
      this.logger.warn(`ignored the last copy of the trusted certificates '${this.path}': it is damaged or of another database`, { file: this.path });
    }
    return snapshot;
  }

  /** Writes `snapshot` soon; only the newest of several waiting snapshots is written. */
  save(version: number, fingerprints: ReadonlySet<Fingerprint>): void {
    this.pending = { version, fingerprints: new Set(fingerprints), savedAt: new Date() };
    this.writing ??= this.drain().finally(() => (this.writing = undefined));
  }

  /** Resolves once every snapshot given to `save` so far is on disk (or failed to be). */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async drain(): Promise<void> {
    for (let snapshot = this.pending; snapshot !== undefined; snapshot = this.pending) {
      this.pending = undefined;
      const text = JSON.stringify({
        format: FORMAT,
        database: this.target,
        version: snapshot.version,
        savedAt: snapshot.savedAt.toISOString(),
        fingerprints: [...snapshot.fingerprints],
      });
      try {
        await writeFileAtomic(this.path, `${text}\n`, FILE_MODE);
        this.warned = false;
      } catch (error) {
        if (!this.warned) {
          this.logger.warn(`cannot write the last copy of the trusted certificates '${this.path}': ${(error as Error).message}`, { file: this.path });
        }
        this.warned = true;
      }
    }
  }
}

function snapshotOf(text: string, target: string): TrustSnapshot | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const savedAt = dateOf(record.savedAt);
  if (record.format !== FORMAT || record.database !== target || savedAt === undefined) return undefined;
  if (typeof record.version !== 'number' || !Number.isSafeInteger(record.version) || !Array.isArray(record.fingerprints)) return undefined;
  const fingerprints = record.fingerprints.filter((value): value is Fingerprint => typeof value === 'string' && isFingerprint(value));
  if (fingerprints.length !== record.fingerprints.length) return undefined;
  return { version: record.version, fingerprints: new Set(fingerprints), savedAt };
}
