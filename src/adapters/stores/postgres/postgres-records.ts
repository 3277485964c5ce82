import type { EnrolmentToken } from '../../../domain/enrolment-token.js';
import { isFingerprint, type Fingerprint } from '../../../domain/fingerprint.js';
import { isTrustVia, type Provenance, type TrustRecord } from '../../../domain/trust-record.js';

/** A row of `trusted_certificates` as pg returns it (bigint as text, timestamptz as Date). */
export interface RecordRow {
  readonly fingerprint: Fingerprint;
  readonly pem: string;
  readonly added_at: Date;
  readonly via: string;
  readonly uid: string | null;
  readonly user_name: string | null;
  readonly label: string | null;
  readonly last_seen: Date | null;
}

/** A row as the CertStore port describes it; a `via` edited into something unknown reads as `file`. */
export function trustRecordOf(row: RecordRow): TrustRecord {
  const provenance: Provenance = {
    via: isTrustVia(row.via) ? row.via : 'file',
    at: row.added_at,
    ...(row.uid === null ? {} : { uid: Number(row.uid) }),
    ...(row.user_name === null ? {} : { user: row.user_name }),
    ...(row.label === null ? {} : { label: row.label }),
  };
  const base = { fingerprint: row.fingerprint, pem: row.pem, provenance };
  return row.last_seen === null ? base : { ...base, lastSeen: row.last_seen };
}

/** A row of `enrolment_tokens` as pg returns it. */
export interface TokenRow {
  readonly id: string;
  readonly hash: string;
  readonly label: string | null;
  readonly created_at: Date;
  readonly expires_at: Date;
  readonly used_at: Date | null;
  readonly used_by: string | null;
  readonly revoked_at: Date | null;
}

export const TOKEN_COLUMNS = 'id, hash, label, created_at, expires_at, used_at, used_by, revoked_at';

/** A row as the TokenStore port describes it. */
export function tokenOf(row: TokenRow): EnrolmentToken {
  return {
    id: row.id,
    hash: row.hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    ...(row.label === null ? {} : { label: row.label }),
    ...(row.used_at === null ? {} : { usedAt: row.used_at }),
    ...(row.used_by === null || !isFingerprint(row.used_by) ? {} : { usedBy: row.used_by }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}
