import { AUDIT_EVENT_KINDS, type AuditEvent, type AuditEventKind, type AuditPeer } from '../../domain/audit-event.js';
import { isFingerprint } from '../../domain/fingerprint.js';
import { isTrustVia } from '../../domain/trust-record.js';
import { dateOf } from '../stores/stored-date.js';

/*
 * One audit event as one line of JSON, and back. Field names are snake_case, as an admin
 * reading the file with jq would expect; times are ISO 8601 UTC.
 */

export function encodeAuditLine(event: AuditEvent): string {
  const peer = event.peer === undefined ? undefined : encodePeer(event.peer);
  const fields = {
    time: event.time.toISOString(),
    event: event.event,
    outcome: event.outcome,
    fingerprint: event.fingerprint,
    via: event.via,
    peer,
    reason: event.reason,
    label: event.label,
    token_id: event.tokenId,
    expires: event.expires?.toISOString(),
    repeats: event.repeats,
  };
  return `${JSON.stringify(fields)}\n`;
}

function encodePeer(peer: AuditPeer): Record<string, unknown> {
  return { uid: peer.uid, user: peer.user, pid: peer.pid, address: peer.address, sudo_user: peer.sudoUser };
}

/** The event on `line`, or undefined when the line is not one. */
export function decodeAuditLine(line: string): AuditEvent | undefined {
  let fields: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    fields = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const time = dateOf(fields.time);
  const { event, outcome, fingerprint, via, reason, label, token_id: tokenId, repeats } = fields;
  if (time === undefined || !(AUDIT_EVENT_KINDS as readonly unknown[]).includes(event)) return undefined;
  if (outcome !== 'ok' && outcome !== 'refused') return undefined;
  const expires = dateOf(fields.expires);
  const peer = decodePeer(fields.peer);
  return {
    time,
    event: event as AuditEventKind,
    outcome,
    ...(typeof fingerprint === 'string' && isFingerprint(fingerprint) ? { fingerprint } : {}),
    ...(isTrustVia(via) ? { via } : {}),
    ...(peer === undefined ? {} : { peer }),
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof label === 'string' ? { label } : {}),
    ...(typeof tokenId === 'string' ? { tokenId } : {}),
    ...(expires === undefined ? {} : { expires }),
    ...(typeof repeats === 'number' ? { repeats } : {}),
  };
}

function decodePeer(value: unknown): AuditPeer | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { uid, user, pid, address, sudo_user: sudoUser } = value as Record<string, unknown>;
  return {
    ...(typeof uid === 'number' ? { uid } : {}),
    ...(typeof user === 'string' ? { user } : {}),
    ...(typeof pid === 'number' ? { pid } : {}),
    ...(typeof address === 'string' ? { address } : {}),
    ...(typeof sudoUser === 'string' ? { sudoUser } : {}),
  };
}
