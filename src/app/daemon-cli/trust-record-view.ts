import { X509Certificate } from 'node:crypto';
import type { TrustRecord } from '../../domain/trust-record.js';
import { shortTime } from './text-table.js';

interface CertificateSummary {
  readonly subject?: string;
  readonly validUntil?: Date;
}

/** Parsed only here, for display: the stores never parse what they keep. */
function summarise(pem: string): CertificateSummary {
  try {
    const parsed = new X509Certificate(pem);
    return { subject: parsed.subject.replace(/\n/g, ', '), validUntil: new Date(parsed.validTo) };
  } catch {
    return {};
  }
}

/**
 * One line per certificate: fingerprint, subject and expiry, then how and when it got in,
 * who enrolled it, its label and when it was last seen, as `key=value` pairs.
 */
export function trustRecordLine(record: TrustRecord): string {
  const { subject, validUntil } = summarise(record.pem);
  const certificate = subject === undefined ? '(unparseable certificate)' : `${subject}  (valid until ${validUntil?.toISOString()})`;
  const { via, at, uid, user, label } = record.provenance;
  const fields = [
    `via=${via}`,
    `since=${shortTime(at)}`,
    ...(uid === undefined ? [] : [`uid=${uid}`]),
    ...(user === undefined ? [] : [`user=${user}`]),
    ...(label === undefined ? [] : [`label=${JSON.stringify(label)}`]),
    `last-seen=${record.lastSeen === undefined ? 'never' : shortTime(record.lastSeen)}`,
  ];
  return `${record.fingerprint}  ${certificate}  ${fields.join(' ')}`;
}

/** The record as JSON for scripts: every field, times in ISO 8601, absent ones as null. */
export function trustRecordJson(record: TrustRecord): Record<string, unknown> {
  const { subject, validUntil } = summarise(record.pem);
  const { via, at, uid, user, label } = record.provenance;
  return {
    fingerprint: record.fingerprint,
    subject: subject ?? null,
    valid_until: validUntil?.toISOString() ?? null,
    via,
    since: at.toISOString(),
    uid: uid ?? null,
    user: user ?? null,
    label: label ?? null,
    last_seen: record.lastSeen?.toISOString() ?? null,
  };
}

/** `trust show`: one field a line, for people. */
export function trustRecordDetails(record: TrustRecord): string {
  const { subject, validUntil } = summarise(record.pem);
  const { via, at, uid, user, label } = record.provenance;
  const owner = uid === undefined ? (user ?? '-') : `${user ?? '?'} (uid ${uid})`;
  const expired = validUntil !== undefined && validUntil.getTime() < Date.now() ? ' (expired; still trusted: a pin)' : '';
  const rows: Array<[string, string]> = [
    ['Fingerprint', record.fingerprint],
    ['Subject', subject ?? '(unparseable certificate)'],
    ['Valid until', `${shortTime(validUntil)}${expired}`],
    ['Trusted via', via],
    ['Trusted since', shortTime(at)],
    [via === 'admin' || via === 'import' ? 'Trusted by' : 'Owner', owner],
    ['Label', label ?? '-'],
    ['Last seen', record.lastSeen === undefined ? 'never' : shortTime(record.lastSeen)],
  ];
  return rows.map(([name, value]) => `${`${name}:`.padEnd(15)}${value}\n`).join('');
}
