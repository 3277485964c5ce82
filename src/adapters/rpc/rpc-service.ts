import type { Caller, TransportKind } from '../../domain/caller.js';
import type { DaemonSettings } from '../../domain/daemon-settings.js';
import type { TrustPolicy } from '../../domain/trust-policy.js';
import type { InstanceInventory } from '../../ports/instance-inventory.js';
import type { Logger } from '../../ports/logger.js';
import { CallAdmission } from './call-admission.js';
import { CallLog } from './call-log.js';
import type { RpcCall, RpcHandler } from './rpc-handlers.js';


/** ping's reply; one function for every call (the trusted-call path allocates as little as it can). */
const emptyReply = async (): Promise<object> => ({});
export interface RpcServiceDeps {
  readonly transport: TransportKind;
  readonly policy: TrustPolicy;
  readonly settings: DaemonSettings;
  readonly inventory: InstanceInventory;
  readonly version: string;
  readonly logger: Logger;
}

/**
 * The `multipass.Rpc` handlers. Each streaming method reads one request, answers, and puts
 * the outcome in the status, as Multipass's daemon does. Trust is checked in one place
 * (CallAdmission) from RPC_AUTH_TABLE, never in the handlers.
 */
export function createRpcService(deps: RpcServiceDeps): Readonly<Record<string, RpcHandler>> {
  const admission = new CallAdmission(deps);

  /**
   * One request in, replies out, status last: the shape of every streaming Multipass RPC (the
   * server serves the first request, or a default one when the stream ends without any). The
   * call's log lines are written before the final replies when the request's verbosity asks
   * for them.
   */
  const streaming =
    <Req, Rep>(method: string, handle: (request: Req, caller: Caller, log: CallLog, call: RpcCall) => Promise<Rep[]>) =>
    (request: Req, call: RpcCall): Promise<Rep[]> =>
      admission.serve(method, call, ({ caller }) => {
        const { verbosity_level: verbosity = 0 } = request as { verbosity_level?: number };
        const log = new CallLog(deps.logger, method, verbosity, (log_line) => call.write({ log_line }));
        return handle(request, caller, log, call);
      });

  return {
    ping: (_request: unknown, call: RpcCall) => admission.serve('ping', call, emptyReply),

    version: streaming('version', async (_request, _caller, log) => {
      log.debug(`Returning version ${deps.version}`);
      return [{ version: deps.version }];
    }),

    list: streaming('list', async (request: { snapshots: boolean }, _caller, log): Promise<object[]> => {
      // No hypervisor, so no snapshots; the reply still has the shape the client asked for.
      if (request.snapshots) {
        log.debug('Listing 0 snapshots');
        return [{ snapshot_list: { snapshots: [] } }];
      }
      const instances = await deps.inventory.list();
      log.debug(`Listing ${instances.length} instances`);
      return [
        {
          instance_list: {
            instances: instances.map((instance) => ({
              name: instance.name,
              instance_status: { status: instance.status },
              ipv4: [...instance.ipv4],
              current_release: instance.release,
            })),
          },
        },
      ];
    }),

    get: streaming('get', async (request: { key: string }, _caller, log) => {
      const value = await deps.settings.get(request.key);
      log.debug(`Returning setting ${request.key}`);
      return [{ value }];
    }),

    set: streaming('set', async (request: { key: string; val: string }, _caller, log) => {
      log.debug(`Setting ${request.key}`);
      await deps.settings.set(request.key, request.val);
      return [];
    }),

    keys: streaming('keys', async (_request, _caller, log) => {
      const keys = deps.settings.keys();
      log.debug(`Returning ${keys.length} settings keys`);
      return [{ settings_keys: [...keys] }];
    }),

    authenticate: streaming('authenticate', async (request: { passphrase: string }, caller, _log, call) => {
      await deps.policy.enrol(caller, request.passphrase);
      call.connection.markTrusted();
      return [];
    }),
  };
}
