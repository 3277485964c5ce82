import type { Fingerprint } from './fingerprint.js';
import type { TrustVia } from './trust-record.js';

/**
 * What the audit log records: every change of who is trusted, every refused enrolment or
 * bootstrap, and every enrolment token issued or revoked.
 */
export type AuditEventKind =
  /** The first admin-group client trusted on an empty store. */
  | 'trust.bootstrap'
  /** A caller on the restricted socket that is neither root nor in the admin group. */
  | 'trust.bootstrap.refused'
  /** A client trusted with the passphrase or an enrolment token (`via`). */
  | 'trust.enrol'
  /** `reason`: the refusal's code (`passphrase-mismatch`, `too-many-attempts`...) or the token's fault. */
  | 'trust.enrol.refused'
  | 'trust.add'
  | 'trust.remove'
  | 'trust.label'
  | 'trust.import'
  /** A call on the live trust-administration channel from a peer that is not an admin (or over TCP). */
  | 'trust.admin.refused'
  | 'token.issue'
  | 'token.revoke';

export const AUDIT_EVENT_KINDS: readonly AuditEventKind[] = [
  'trust.bootstrap',
  'trust.bootstrap.refused',
  'trust.enrol',
  'trust.enrol.refused',
  'trust.add',
  'trust.remove',
  'trust.label',
  'trust.import',
  'trust.admin.refused',
  'token.issue',
  'token.revoke',
];

export type AuditOutcome = 'ok' | 'refused';

/**
 * Who acted: for a client, the peer as the kernel or the network stack said (uid, account
 * name, pid; or the address); for an admin command, the user running it (and, under sudo,
 * who ran sudo).
 */
export interface AuditPeer {
  readonly uid?: number;
  readonly user?: string;
  readonly pid?: number;
  readonly address?: string;
  readonly sudoUser?: string;
}

/** One line of the audit log. Never a passphrase or a token: a token is named by its id. */
export interface AuditEvent {
  readonly time: Date;
  readonly event: AuditEventKind;
  readonly outcome: AuditOutcome;
  readonly fingerprint?: Fingerprint;
  readonly peer?: AuditPeer;
  readonly reason?: string;
  readonly via?: TrustVia;
  readonly label?: string;
  readonly tokenId?: string;
  readonly expires?: Date;
  /** How many more events like this one (same event, peer and reason) were left out before it. */
  readonly repeats?: number;
}

export type AuditEntry = Omit<AuditEvent, 'time'>;
