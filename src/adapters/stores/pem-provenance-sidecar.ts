import { rename, stat } from 'node:fs/promises';
import { isFingerprint, type Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';
import { isTrustVia, normaliseLabel, unknownProvenance, type Provenance, type TrustRecord } from '../../domain/trust-record.js';
import type { Logger } from '../../ports/logger.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { deleteFileDurably } from '../fs/delete-file-durably.js';
import { errorCode } from '../fs/error-code.js';
import { readIfPresent } from '../fs/read-if-present.js';
import { dateOf } from './stored-date.js';

const FILE_MODE = 0o600;
const FORMAT = 'multipassd-trust-records';

/** What the sidecar keeps for one certificate. */
export interface StoredRecord {
  readonly provenance: Provenance;
  readonly lastSeen?: Date;
}

export type StoredRecords = Map<Fingerprint, StoredRecord>;

export interface SidecarRead {
  readonly records: StoredRecords;
  /** The file exists but could not be read whole (bad JSON, bad entries, unreadable). */
  readonly damaged: boolean;
}

/**
 * The PEM store's records (how each certificate got in, its label, when it was last seen) in
 * a JSON file next to the bundle, keyed by fingerprint, so that the bundle itself stays
 * exactly Multipass's format and an admin can still append to it by hand. The records never
 * decide trust: a damaged sidecar is a warning (once per change of the file) and its
 * certificates show as `via: 'file'`; the next write moves it aside to `<file>.damaged` and
 * starts a new one. Callers write it under the bundle's file lock.
 */
export class ProvenanceSidecar {
  /** The damaged file last warned about, so a damaged sidecar is one warning, not one per read. */
  private warnedSignature: string | undefined;

  constructor(
    readonly filePath: string,
    private readonly logger: Logger,
  ) {}

  async read(): Promise<SidecarRead> {
    let text: string | undefined;
    try {
      text = await readIfPresent(this.filePath);
    } catch (error) {
      await this.warn(`cannot be read (${messageOf(error)})`);
      return { records: new Map(), damaged: true };
    }
    if (text === undefined) return { records: new Map(), damaged: false };
    const parsed = parse(text);
    if (parsed.problem !== undefined) await this.warn(parsed.problem);
    return { records: parsed.records, damaged: parsed.problem !== undefined };
  }

  /**
   * Replaces the sidecar atomically (mode 0600) with `records`, or deletes it when there are
   * none. A damaged file is first moved aside to `<file>.damaged`, for the admin to look at.
   */
  async write(records: StoredRecords, damaged: boolean): Promise<void> {
    if (damaged) {
      await rename(this.filePath, `${this.filePath}.damaged`).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
      });
      this.logger.warn(`moved the damaged trust records file aside to '${this.filePath}.damaged' and started a new one`, {
        file: this.filePath,
      });
    }
    if (records.size === 0) {
      await deleteFileDurably(this.filePath);
      return;
    }
    const certificates: Record<string, unknown> = {};
    for (const [fingerprint, record] of records) certificates[fingerprint] = encode(record);
    await writeFileAtomic(this.filePath, `${JSON.stringify({ format: FORMAT, version: 1, certificates }, null, 1)}\n`, FILE_MODE);
  }

  private async warn(problem: string): Promise<void> {
    const signature = await signatureOf(this.filePath);
    if (signature === this.warnedSignature) return;
    this.warnedSignature = signature;
    this.logger.warn(
      `the trust records file '${this.filePath}' ${problem}: the certificates it describes are still trusted, ` +
        "and show as 'file' until they are recorded again",
      { file: this.filePath },
    );
  }
}

/**
 * One record per certificate of `index`, in its order: the stored one, else `file` at
 * `fileAt`. Records of certificates no longer there are dropped.
 */
export function completeRecords(index: { keys(): Iterable<Fingerprint> }, records: StoredRecords, fileAt: Date): StoredRecords {
  const complete: StoredRecords = new Map();
  for (const fingerprint of index.keys()) complete.set(fingerprint, records.get(fingerprint) ?? fileRecord(fileAt));
  return complete;
}

/** The record of a certificate found with none: origin unknown, trusted no later than `at`. */
export const fileRecord = (at: Date): StoredRecord => ({ provenance: unknownProvenance(at) });

/** A record without a `lastSeen` key when there is no time. */
export const stored = (provenance: Provenance, lastSeen: Date | undefined): StoredRecord =>
  lastSeen === undefined ? { provenance } : { provenance, lastSeen };

/** A certificate and its record, as `CertStore.list` describes them. */
export function recordOf(cert: TrustedCertificate, { provenance, lastSeen }: StoredRecord): TrustRecord {
  const base = { fingerprint: cert.fingerprint, pem: cert.pem, provenance };
  return lastSeen === undefined ? base : { ...base, lastSeen };
}

function encode({ provenance, lastSeen }: StoredRecord): Record<string, unknown> {
  return {
    via: provenance.via,
    at: provenance.at.toISOString(),
    ...(provenance.uid === undefined ? {} : { uid: provenance.uid }),
    ...(provenance.user === undefined ? {} : { user: provenance.user }),
    ...(provenance.label === undefined ? {} : { label: provenance.label }),
    ...(lastSeen === undefined ? {} : { last_seen: lastSeen.toISOString() }),
  };
}

function parse(text: string): { records: StoredRecords; problem?: string } {
  const records: StoredRecords = new Map();
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { records, problem: `is not valid JSON (${messageOf(error)})` };
  }
  const certificates = (document as { certificates?: unknown } | null)?.certificates;
  if (typeof certificates !== 'object' || certificates === null || Array.isArray(certificates)) {
    return { records, problem: 'has no "certificates" object' };
  }
  let bad = 0;
  for (const [fingerprint, entry] of Object.entries(certificates)) {
    const record = decode(entry);
    if (record === undefined || !isFingerprint(fingerprint)) bad += 1;
    else records.set(fingerprint, record);
  }
  return bad === 0 ? { records } : { records, problem: `has ${bad} entr${bad === 1 ? 'y' : 'ies'} it cannot read` };
}

function decode(entry: unknown): StoredRecord | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { via, at, uid, user, label, last_seen: lastSeenText } = entry as Record<string, unknown>;
  const when = dateOf(at);
  if (!isTrustVia(via) || when === undefined) return undefined;
  if (uid !== undefined && !(typeof uid === 'number' && Number.isSafeInteger(uid) && uid >= 0)) return undefined;
  if ((user !== undefined && typeof user !== 'string') || (label !== undefined && typeof label !== 'string')) return undefined;
  const lastSeen = lastSeenText === undefined ? undefined : dateOf(lastSeenText);
  if (lastSeenText !== undefined && lastSeen === undefined) return undefined;
  const clean = normaliseLabel(label as string | undefined);
  const provenance: Provenance = {
    via,
    at: when,
    ...(uid === undefined ? {} : { uid: uid as number }),
    ...(user === undefined ? {} : { user: user as string }),
    ...(clean === undefined ? {} : { label: clean }),
  };
  return lastSeen === undefined ? { provenance } : { provenance, lastSeen };
}


async function signatureOf(path: string): Promise<string> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
