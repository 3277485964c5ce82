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

type AnyCall = { getAuthContext: ServerDuplexStream<unknown, unknown>['getAuthContext'] };

/**
 * The `multipass.Rpc` handlers. Each streaming method reads one request, answers, and puts
 * the outcome in the status, as Multipass's daemon does. Trust is checked in one place
 * (`admitted`) from RPC_AUTH_TABLE, never in the handlers.
 */
export function createRpcService(deps: RpcServiceDeps): UntypedServiceImplementation {
  const callerOf = (connection: GuardedConnection | undefined): Caller => {
    const peer = connection?.peer ?? UNKNOWN_PEER;
    const certificate = connection?.certificate;
    return certificate === undefined ? { transport: deps.transport, peer } : { transport: deps.transport, peer, certificate };
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
      if (code === status.INTERNAL) {
        // The full story (file names, causes) is for the admin; callers may be anyone.
        deps.logger.error('rpc failed', { method, code: error.code, error: error.message });
        return { code, details: INTERNAL_DETAILS };
      }
      deps.logger.debug('rpc refused', { method, code: error.code });
      return { code, details: withoutPaths(error.message) };
    }
    deps.logger.error('rpc failed', { method, error: error instanceof Error ? error.stack : String(error) });
    return { code: status.INTERNAL, details: INTERNAL_DETAILS };
  };

  /** One request in, replies out, status last: the shape of every streaming Multipass RPC. */
  const streaming = <Req, Rep>(method: string, handle: (request: Req, caller: Caller, call: AnyCall) => Promise<Rep[]>) =>
    (call: ServerDuplexStream<Req, Rep>): void => {
      let answered = false;
      const fail = (error: WireError) => call.emit('error', error);
      call.once('data', (request: Req) => {
        answered = true;
        admitted(method, call)
          .then((caller) => handle(request, caller, call))
          .then((replies) => {
            for (const reply of replies) call.write(reply);
            call.end();
          })
          .catch((error: unknown) => fail(toWire(method, error)));
      });
      call.once('end', () => {
        if (!answered) fail({ code: status.INVALID_ARGUMENT, details: 'no request was sent' });
      });
      call.on('error', () => undefined);
    };

  return {
    ping: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      admitted('ping', call).then(
        () => callback(null, {}),
        (error: unknown) => callback(toWire('ping', error)),
      );
    },

    version: streaming('version', async () => [{ version: deps.version }]),

    list: streaming('list', async () => {
      const instances = await deps.inventory.list();
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

    get: streaming('get', async (request: { key: string }) => [{ value: await deps.settings.get(request.key) }]),

    set: streaming('set', async (request: { key: string; val: string }) => {
      await deps.settings.set(request.key, request.val);
      return [];
    }),

    authenticate: streaming('authenticate', async (request: { passphrase: string }, caller, call) => {
      await deps.policy.enrol(caller, request.passphrase);
      connectionOfCall(call)?.markTrusted();
      return [];
    }),
  };
}

const INTERNAL_DETAILS = 'internal error; see the multipassd log';

/** Defence in depth: no server path reaches a client, whatever a message was built from. */
function withoutPaths(message: string): string {
  return message.replace(/'\/[^']*'/g, "'<path>'");
}
