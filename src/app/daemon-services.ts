import type { Container } from 'inversify';
import { CallAdmission } from '../adapters/rpc/call-admission.js';
import { createClientService } from '../adapters/rpc/client-service.js';
import { CLIENT_WIRE, TRUST_ADMIN_WIRE } from '../adapters/rpc/multipassd-wire-schema.js';
import type { ServedService } from '../adapters/rpc/rpc-handlers.js';
import { createTrustAdminService } from '../adapters/rpc/trust-admin-service.js';
import type { AdminGroup } from '../adapters/transports/unix-group.js';
import type { TransportKind } from '../domain/caller.js';
import { AdminPeers } from '../domain/admin-peers.js';
import { ClientStatus } from '../domain/client-status.js';
import { TrustAdministration } from '../domain/trust-administration.js';
import type { TrustPolicy } from '../domain/trust-policy.js';
import { CertStore } from '../ports/cert-store.js';
import { Logger } from '../ports/logger.js';
import { AdminGroupToken } from './tokens.js';

/** multipassd's own services (multipassd.proto), served beside multipass.Rpc. */
export async function daemonServices(container: Container, transport: TransportKind, policy: TrustPolicy): Promise<ServedService[]> {
  const logger = container.get<Logger>(Logger);
  const admission = new CallAdmission({ transport, policy, admins: await container.getAsync(AdminPeers), logger });
  const group = await container.getAsync<AdminGroup | undefined>(AdminGroupToken);
  return [
    {
      schema: TRUST_ADMIN_WIRE,
      handlers: createTrustAdminService({
        admission,
        admin: await container.getAsync(TrustAdministration),
        store: await container.getAsync<CertStore>(CertStore),
        afterChange: () => policy.resync(),
      }),
    },
    {
      schema: CLIENT_WIRE,
      handlers: createClientService({ admission, status: await container.getAsync(ClientStatus), adminGroup: group?.name }),
    },
  ];
}
