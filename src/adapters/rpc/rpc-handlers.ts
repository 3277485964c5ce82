import type { GuardedConnection } from '../transports/connection-guard.js';
import type { WireSchema } from './wire-schema.js';
import type { StatusCode } from './status-code.js';

/** A call as its handler sees it. */
export interface RpcCall {
  /** The connection the call came on: who is at the other end, and the certificate it showed. */
  readonly connection: GuardedConnection;
  /** Sends one reply at once, ahead of those the handler returns (a streaming method's log lines). */
  write(reply: object): void;
}

/** How a call ends when it fails, as the client will read it. */
export interface WireError {
  readonly code: StatusCode;
  readonly details: string;
}

/**
 * One method of a service. A unary method resolves with its reply, a streaming one with its
 * replies in order. A rejection with a WireError ends the call with that status; any other
 * rejection is the server's fault (INTERNAL, nothing of it on the wire).
 */
export type RpcHandler = (request: never, call: RpcCall) => Promise<unknown>;

/** A service to serve: its schema (paths, messages) and a handler for each method it implements. */
export interface ServedService {
  readonly schema: WireSchema;
  /** By method name in the .proto; a method without one is answered UNIMPLEMENTED. */
  readonly handlers: Readonly<Record<string, RpcHandler>>;
}

export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WireError).code === 'number' &&
    typeof (value as WireError).details === 'string'
  );
}
