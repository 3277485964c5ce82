import {
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Caller, TransportKind } from '../../domain/caller.js';
import type { DaemonSettings } from '../../domain/daemon-settings.js';
import type { TrustPolicy } from '../../domain/trust-policy.js';
import type { InstanceInventory } from '../../ports/instance-inventory.js';
import type { Logger } from '../../ports/logger.js';
import { connectionOfCall } from '../transports/connection-guard.js';
import { CallAdmission, type AnyCall } from './call-admission.js';
import { CallLog } from './call-log.js';
import { multipassRpcDefinition } from './proto.js';

export interface RpcServiceDeps {
  readonly transport: TransportKind;
  readonly policy: TrustPolicy;
  readonly settings: DaemonSettings;
  readonly inventory: InstanceInventory;
  readonly version: string;
  readonly logger: Logger;
}

/** What the .proto decodes from an empty message: every field at its default. */
const defaultRequest = <Req>(method: string): Req =>
  multipassRpcDefinition()[method]!.requestDeserialize(Buffer.alloc(0)) as Req;

/**
 * The `multipass.Rpc` handlers. Each streaming method reads one request, answers, and puts
 * the outcome in the status, as Multipass's daemon does. Trust is checked in one place
 * (CallAdmission) from RPC_AUTH_TABLE, never in the handlers.
 */
export function createRpcService(deps: RpcServiceDeps): UntypedServiceImplementation {
  const admission = new CallAdmission(deps);
  const admitted = async (method: string, call: AnyCall): Promise<Caller> => (await admission.admit(method, call)).caller;
  const toWire = (method: string, error: unknown) => admission.toWire(method, error);

  /**
   * One request in, replies out, status last: the shape of every streaming Multipass RPC.
   * Like Multipass's daemon, a stream that ends without a request is served a default one,
   * and the call's log lines are written before the final replies when the request's
   * verbosity asks for them.
   */
  const streaming = <Req, Rep>(
    method: string,
    handle: (request: Req, caller: Caller, log: CallLog, call: AnyCall) => Promise<Rep[]>,
  ) =>
    (call: ServerDuplexStream<Req, Rep>): void => {
      let served = false;
      const serve = (request: Req) => {
        if (served) return;
        served = true;
        admitted(method, call)
          .then((caller) => {
            const { verbosity_level: verbosity = 0 } = request as { verbosity_level?: number };
            const log = new CallLog(deps.logger, method, verbosity, (log_line) => call.write({ log_line } as Rep));
            return handle(request, caller, log, call);
          })
          .then((replies) => {
            for (const reply of replies) call.write(reply);
            call.end();
          })
          .catch((error: unknown) => call.emit('error', toWire(method, error)));
      };
      call.once('data', serve);
      call.once('end', () => serve(defaultRequest<Req>(method)));
      call.on('error', () => undefined);
    };

  return {
    ping: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      admitted('ping', call).then(
        () => callback(null, {}),
        (error: unknown) => callback(toWire('ping', error)),
      );
    },

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
      connectionOfCall(call)?.markTrusted();
      return [];
    }),
  };
}
