import type { ClientStatus } from '../../domain/client-status.js';
import type { CallAdmission } from './call-admission.js';
import type { RpcCall, RpcHandler } from './rpc-handlers.js';
import { wireTime } from './trust-record-wire.js';

export interface ClientServiceDeps {
  readonly admission: CallAdmission;
  readonly status: ClientStatus;
  /** The admin group's name, for "who can fix this"; undefined when there is none. */
  readonly adminGroup: string | undefined;
}

/** The `multipassd.Client` handlers: `whoami`, open to untrusted callers (`allowUntrusted`). */
export function createClientService(deps: ClientServiceDeps): Readonly<Record<string, RpcHandler>> {
  return {
    whoami: (_request: unknown, call: RpcCall) =>
      deps.admission.serve('Client.whoami', call, async ({ caller }) => {
          const report = await deps.status.of(caller);
          const other = report.otherCertificate;
          return {
            fingerprint: report.fingerprint ?? '',
            trusted: report.trusted,
            via: report.provenance?.via ?? '',
            since: wireTime(report.provenance?.at),
            label: report.provenance?.label ?? '',
            passphrase_set: report.passphraseSet,
            tokens_active: report.tokensActive,
            admin_group: deps.adminGroup ?? '',
            admin: report.admin,
            bootstrap_open: report.bootstrapOpen,
            other_fingerprint: other?.fingerprint ?? '',
            other_since: wireTime(other?.provenance.at),
            other_via: other?.provenance.via ?? '',
            transport: caller.transport,
            uid: caller.peer.kind === 'unix' ? caller.peer.uid : -1,
          };
      }),
  };
}
