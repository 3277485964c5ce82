import {
  status,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { AuthError } from '../../domain/auth-error.js';
import type { Caller, TransportKind } from '../../domain/caller.js';
import { UNKNOWN_PEER } from '../../domain/peer.js';
import type { DaemonSettings } from '../../domain/daemon-settings.js';
import type { TrustPolicy } from '../../domain/trust-policy.js';
import type { InstanceInventory } from '../../ports/instance-inventory.js';
import type { Logger } from '../../ports/logger.js';
import { connectionOfCall, type GuardedConnection } from '../transports/connection-guard.js';
import { STATUS_FOR } from './auth-error-status.js';
import { CallLog } from './call-log.js';
import { multipassRpcDefinition } from './proto.js';
import { RPC_AUTH_TABLE } from './rpc-auth-table.js';

export interface RpcServiceDeps {
  readonly transport: TransportKind;
  readonly policy: TrustPolicy;
  readonly settings: DaemonSettings;
  readonly inventory: InstanceInventory;
  readonly version: string;
  readonly logger: Logger;
}

interface WireError {
  code: status;
  details: string;
}

/** What the .proto decodes from an empty message: every field at its default. */
const defaultRequest = <Req>(method: string): Req =>
  multipassRpcDefinition()[method]!.requestDeserialize(Buffer.alloc(0)) as Req;

type AnyCall = { getAuthContext: ServerDuplexStream<unknown, unknown>['getAuthContext'] };

/**
 * The `multipass.Rpc` handlers. Each streaming method reads one request, answers, and puts
 * the outcome in the status, as Multipass's daemon does. Trust is checked in one place
 * (`admitted`) from RPC_AUTH_TABLE, never in the handlers.
 */
export function createRpcService(deps: RpcServiceDeps): UntypedServiceImplementation {
  // A connection's caller never changes: made once per connection, not per call.
  const callers = new WeakMap<GuardedConnection, Caller>();
  const callerOf = (connection: GuardedConnection | undefined): Caller => {
    const known = connection === undefined ? undefined : callers.get(connection);
    if (known !== undefined) return known;
    const peer = connection?.peer ?? UNKNOWN_PEER;
    const certificate = connection?.certificate;
    const caller: Caller = certificate === undefined ? { transport: deps.transport, peer } : { transport: deps.transport, peer, certificate };
    if (connection !== undefined) callers.set(connection, caller);
    return caller;
  };

  /** The one place trust is checked. A connection that gets in leaves the untrusted caps and deadlines. */
  const admitted = async (method: string, call: AnyCall): Promise<Caller> => {
    const connection = connectionOfCall(call);
    const caller = callerOf(connection);
    const policy = RPC_AUTH_TABLE[method];
    if (policy === undefined) throw new AuthError('not-trusted', `method '${method}' is not available`);
    if (policy !== 'allowUntrusted') {
      await deps.policy.admit(caller, { bootstrap: policy === 'requiresTrust' });
      connection?.markTrusted();
    }
    return caller;
  };

  const toWire = (method: string, error: unknown): WireError => {
    if (AuthError.is(error)) {
      const code = STATUS_FOR[error.code];
      if (error.code === 'store-unavailable') {
        // The full story (file names, causes) is for the admin; callers may be anyone.
        deps.logger.error('rpc failed', { method, code: error.code, error: error.message });
        return { code, details: INTERNAL_DETAILS };
      }
      deps.logger.debug('rpc refused', { method, code: error.code });
      return { code, details: clipped(withoutPaths(error.message)) };
    }
    deps.logger.error('rpc failed', { method, error: error instanceof Error ? error.stack : String(error) });
    return { code: status.INTERNAL, details: INTERNAL_DETAILS };
  };

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

const INTERNAL_DETAILS = 'internal error; see the multipassd log';

/**
 * A status message travels in an HTTP/2 trailer: one that echoes a caller's 100 KB settings key
 * passes the client's header-list limit, and the client never sees the call end (grpc-js
 * waits for ever). Our own messages are short; what a caller sent is cut.
 */
const MAX_DETAILS = 1024;

function clipped(message: string): string {
  return message.length <= MAX_DETAILS ? message : `${message.slice(0, MAX_DETAILS - 1)}…`;
}

/** Defence in depth: no server path reaches a client, whatever a message was built from. */
function withoutPaths(message: string): string {
  return message.replace(/'\/[^']*'/g, "'<path>'");
}
