import type { AuditPeer } from '../../domain/audit-event.js';
import { parseFingerprint, type Fingerprint } from '../../domain/fingerprint.js';
import type { TrustAdministration } from '../../domain/trust-administration.js';
import type { CertStore } from '../../ports/cert-store.js';
import { clientCertificateFromPem } from '../crypto/presented-certificate.js';
import type { Admitted, CallAdmission } from './call-admission.js';
import type { RpcCall, RpcHandler, WireError } from './rpc-handlers.js';
import { StatusCode } from './status-code.js';
import { trustRecordToWire } from './trust-record-wire.js';

export interface TrustAdminServiceDeps {
  readonly admission: CallAdmission;
  readonly admin: TrustAdministration;
  /** For `list`: a damaged store is reported, not shown as empty. */
  readonly store: Pick<CertStore, 'fault'>;
  /** After a change: takes it in at once (opens the socket once someone is trusted, restricts it when nobody is). */
  readonly afterChange: () => Promise<void>;
}

interface SudoField {
  readonly sudo_user?: string;
}

/** A refusal the admin CLI prints as it is. */
class Refusal extends Error {
  constructor(
    readonly code: StatusCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The `multipassd.TrustAdmin` handlers: the same audited use cases as the offline
 * `multipassd trust` commands, on the daemon's own store, so a change takes effect at once
 * (a removed certificate's connections are ended). Every call is let in by CallAdmission
 * (`adminPeer`: root, the daemon's user or the admin group, by peer credentials); callers
 * are admins, so messages keep the paths they name.
 */
export function createTrustAdminService(deps: TrustAdminServiceDeps): Readonly<Record<string, RpcHandler>> {
  const unary =
    <Req, Rep>(method: string, handle: (request: Req, admitted: Admitted) => Promise<Rep>) =>
    (request: Req, call: RpcCall): Promise<Rep> =>
      deps.admission.serve(`TrustAdmin.${method}`, call, (admitted) => handle(request, admitted), (error) => toWire(method, error));
  const toWire = (method: string, error: unknown): WireError =>
    error instanceof Refusal ? { code: error.code, details: error.message } : deps.admission.toWire(`TrustAdmin.${method}`, error, { showPaths: true });

  return {
    list: unary('list', async () => {
      const records = await deps.admin.list();
      return { certificates: records.map(trustRecordToWire), fault: deps.store.fault() ?? '' };
    }),

    show: unary('show', async (request: { fingerprint: string }) => {
      const fingerprint = fingerprintOf(request.fingerprint);
      const record = await deps.admin.show(fingerprint);
      if (record === undefined) throw new Refusal(StatusCode.NOT_FOUND, `no trusted certificate has fingerprint ${fingerprint}`);
      return { certificate: trustRecordToWire(record) };
    }),

    add: unary('add', async (request: { pem: string; label: string } & SudoField, { admin }) => {
      let certificate;
      try {
        certificate = clientCertificateFromPem(request.pem);
      } catch (error) {
        throw new Refusal(StatusCode.INVALID_ARGUMENT, error instanceof Error ? error.message : String(error));
      }
      const { fingerprint, pem } = certificate;
      const outcome = await deps.admin.add(
        { fingerprint, pem },
        { actor: actorOf(admin, request), ...(request.label === '' ? {} : { label: request.label }) },
      );
      await deps.afterChange();
      return { changed: outcome.changed, added: outcome.added, fingerprint, audit_problem: outcome.auditProblem ?? '' };
    }),

    remove: unary('remove', async (request: { fingerprint: string } & SudoField, { admin }) => {
      const fingerprint = fingerprintOf(request.fingerprint);
      const outcome = await deps.admin.remove(fingerprint, actorOf(admin, request));
      await deps.afterChange();
      return { changed: outcome.changed, fingerprint, audit_problem: outcome.auditProblem ?? '', connections_closed: outcome.connectionsClosed };
    }),

    label: unary('label', async (request: { fingerprint: string; label: string } & SudoField, { admin }) => {
      const fingerprint = fingerprintOf(request.fingerprint);
      const outcome = await deps.admin.label(fingerprint, request.label, actorOf(admin, request));
      return { changed: outcome.changed, fingerprint, audit_problem: outcome.auditProblem ?? '' };
    }),
  };
}

function fingerprintOf(text: string): Fingerprint {
  const fingerprint = parseFingerprint(text);
  if (fingerprint === undefined) throw new Refusal(StatusCode.INVALID_ARGUMENT, `'${text}' is not a SHA-256 fingerprint (64 hex digits, colons allowed)`);
  return fingerprint;
}

/** The admin as the kernel named them, with who ran sudo as their environment says (as offline). */
function actorOf(admin: AuditPeer | undefined, request: SudoField): AuditPeer {
  const sudoUser = request.sudo_user ?? '';
  return { ...admin, ...(sudoUser === '' ? {} : { sudoUser }) };
}
