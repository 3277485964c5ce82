import { parseFingerprint, type Fingerprint } from '../../domain/fingerprint.js';
import { isTrustVia, type Provenance, type TrustRecord } from '../../domain/trust-record.js';

/** `multipassd.TrustRecord` as the wire codec gives and takes it (multipassd.proto): an int64 comes as a decimal string. */
export interface WireTrustRecord {
  fingerprint: string;
  pem: string;
  via: string;
  since: string;
  uid: number | string;
  user: string;
  label: string;
  last_seen: string;
}

/** A time on the wire: ISO 8601, '' when absent. */
export const wireTime = (time: Date | undefined): string => time?.toISOString() ?? '';

export function parseWireTime(text: string | undefined): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** A uid on the wire: -1 when unknown. */
export const parseWireUid = (uid: number | string | undefined): number | undefined => {
  const value = Number(uid ?? -1);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
};

export function trustRecordToWire(record: TrustRecord): WireTrustRecord {
  const { via, at, uid, user, label } = record.provenance;
  return {
    fingerprint: record.fingerprint,
    pem: record.pem,
    via,
    since: wireTime(at),
    uid: uid ?? -1,
    user: user ?? '',
    label: label ?? '',
    last_seen: wireTime(record.lastSeen),
  };
}

/** The provenance fields of a wire message (a record, or whoami's own). */
export function provenanceFromWire(wire: { via: string; since: string; uid?: number | string; user?: string; label?: string }): Provenance {
  const uid = parseWireUid(wire.uid);
  return {
    via: isTrustVia(wire.via) ? wire.via : 'file',
    at: parseWireTime(wire.since) ?? new Date(0),
    ...(uid === undefined ? {} : { uid }),
    ...(wire.user === undefined || wire.user === '' ? {} : { user: wire.user }),
    ...(wire.label === undefined || wire.label === '' ? {} : { label: wire.label }),
  };
}

/** @throws Error when the daemon sent something that is not a fingerprint. */
export function trustRecordFromWire(wire: WireTrustRecord): TrustRecord {
  const lastSeen = parseWireTime(wire.last_seen);
  return {
    fingerprint: wireFingerprint(wire.fingerprint),
    pem: wire.pem,
    provenance: provenanceFromWire(wire),
    ...(lastSeen === undefined ? {} : { lastSeen }),
  };
}

export function wireFingerprint(text: string): Fingerprint {
  const fingerprint = parseFingerprint(text);
  if (fingerprint === undefined) throw new Error(`the daemon sent '${text}' where a fingerprint belongs`);
  return fingerprint;
}
