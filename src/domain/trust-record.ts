import type { Fingerprint } from './fingerprint.js';
import type { TrustedCertificate } from './trusted-certificate.js';

/**
 * How a certificate came to be trusted:
 * - `bootstrap`: the first admin-group client on an empty store;
 * - `passphrase` / `token`: the client enrolled itself with the admin's passphrase or a
 *   one-time enrolment token;
 * - `admin`: an admin's `multipassd trust add`;
 * - `import`: copied from a Multipass installation;
 * - `file`: found in the store with no record of how it got there (appended by hand to the
 *   PEM file, written by Multipass itself, or trusted before records were kept).
 */
export type TrustVia = 'bootstrap' | 'passphrase' | 'token' | 'admin' | 'import' | 'file';

export const TRUST_VIAS: readonly TrustVia[] = ['bootstrap', 'passphrase', 'token', 'admin', 'import', 'file'];

export function isTrustVia(value: unknown): value is TrustVia {
  return typeof value === 'string' && (TRUST_VIAS as readonly string[]).includes(value);
}

/** Who trusted a certificate, how and when, as far as the transport could tell. */
export interface Provenance {
  readonly via: TrustVia;
  /** When it was trusted (for `file`: no later than this, the best the store can tell). */
  readonly at: Date;
  /** The enrolling peer's uid and account name, where the transport knows them (Unix socket). */
  readonly uid?: number;
  readonly user?: string;
  /** The admin's note: whose laptop this is, which token enrolled it. */
  readonly label?: string;
}

/** A trusted certificate as `CertStore.list` describes it. */
export interface TrustRecord extends TrustedCertificate {
  readonly provenance: Provenance;
  /** The last trusted call, as last flushed (coalesced: minutes behind at most); absent when never seen. */
  readonly lastSeen?: Date;
}

/**
 * What `CertStore.add`/`addAll` accept: a bare certificate, or one carrying the record it had in
 * another store (`migrate-store`, an import), which is then kept as it was.
 */
export type IncomingCertificate = TrustedCertificate & { readonly provenance?: Provenance; readonly lastSeen?: Date };

/** Longest label kept; longer ones are cut (labels are for people, and go into list output). */
export const MAX_LABEL_LENGTH = 200;

/**
 * A label as stored: control characters (newlines above all, which would break `trust list`
 * and the audit log's lines) become spaces, surrounding space is trimmed, the length is
 * capped; an empty label is no label.
 */
export function normaliseLabel(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const clean = label.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_LABEL_LENGTH);
  return clean === '' ? undefined : clean;
}

/** The provenance a store gives a certificate added without one: origin unknown, trusted now. */
export function unknownProvenance(at: Date): Provenance {
  return { via: 'file', at };
}

/** `provenance` with `label` (normalised) in place of its own; no `label` key when there is none. */
export function withLabel(provenance: Provenance, label: string | undefined): Provenance {
  const { label: _old, ...rest } = provenance;
  const clean = normaliseLabel(label);
  return clean === undefined ? rest : { ...rest, label: clean };
}

/** The provenance to store for `incoming`: its own, else the caller's, else unknown; label normalised. */
export function provenanceFor(incoming: IncomingCertificate, given: Provenance | undefined, now: Date): Provenance {
  const provenance = incoming.provenance ?? given ?? unknownProvenance(now);
  return withLabel(provenance, provenance.label);
}

/** The later of two last-seen times (either may be absent). */
export function laterOf(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

export type SeenTimes = ReadonlyMap<Fingerprint, Date>;
