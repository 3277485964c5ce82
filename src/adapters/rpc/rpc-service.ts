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
import { certificateOfCall } from '../transports/peer-identity.js';
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
  const callerOf = (call: AnyCall): Caller => {
    const certificate = certificateOfCall(call);
    const peer = UNKNOWN_PEER;
    return certificate === undefined ? { transport: deps.transport, peer } : { transport: deps.transport, peer, certificate };
  };

  const admitted = async (method: string, call: AnyCall): Promise<Caller> => {
    const caller = callerOf(call);
    const policy = RPC_AUTH_TABLE[method];
    if (policy === undefined) throw new AuthError('not-trusted', `method '${method}' is not available`);
    if (policy === 'requiresTrust') await deps.policy.admit(caller);
    return caller;
  };

  const toWire = (method: string, error: unknown): WireError => {
    if (AuthError.is(error)) {
      deps.logger.debug('rpc refused', { method, code: error.code });
      return { code: STATUS_FOR[error.code], details: error.message };
    }
    deps.logger.error('rpc failed', { method, error: error instanceof Error ? error.stack : String(error) });
    return { code: status.INTERNAL, details: 'internal error; see the multipassd log' };
  };

  /** One request in, replies out, status last: the shape of every streaming Multipass RPC. */
  const streaming = <Req, Rep>(method: string, handle: (request: Req, caller: Caller) => Promise<Rep[]>) =>
    (call: ServerDuplexStream<Req, Rep>): void => {
      let answered = false;
      const fail = (error: WireError) => call.emit('error', error);
      call.once('data', (request: Req) => {
        answered = true;
        admitted(method, call)
          .then((caller) => handle(request, caller))
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

    authenticate: streaming('authenticate', async (request: { passphrase: string }, caller) => {
      await deps.policy.enrol(caller, request.passphrase);
      return [];
    }),
  };
}
