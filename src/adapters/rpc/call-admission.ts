import type { AdminPeers } from '../../domain/admin-peers.js';
import type { AuditPeer } from '../../domain/audit-event.js';
import { AuthError } from '../../domain/auth-error.js';
import type { Caller, TransportKind } from '../../domain/caller.js';
import type { TrustPolicy } from '../../domain/trust-policy.js';
import type { Logger } from '../../ports/logger.js';
import type { GuardedConnection } from '../transports/connection-guard.js';
import { STATUS_FOR } from './auth-error-status.js';
import { RPC_AUTH_TABLE } from './rpc-auth-table.js';
import type { RpcCall, WireError } from './rpc-handlers.js';
import { StatusCode } from './status-code.js';

export interface AdmissionDeps {
  readonly transport: TransportKind;
  readonly policy: TrustPolicy;
  /** Who may use `adminPeer` methods; without it, they are refused to everyone. */
  readonly admins?: AdminPeers;
  readonly logger: Logger;
}

export interface Admitted {
  readonly caller: Caller;
  /** For `adminPeer` methods: the admin, as the audit log names them. */
  readonly admin?: AuditPeer;
}

/**
 * The one place every service's calls are let in, from RPC_AUTH_TABLE, and the one mapping
 * from their failures to the wire. A connection that gets in by trust leaves the untrusted
 * caps and deadlines.
 */
export class CallAdmission {
  // A connection's caller never changes: made once per connection, not per call.
  private readonly callers = new WeakMap<GuardedConnection, Caller>();

  constructor(private readonly deps: AdmissionDeps) {}

  async admit(method: string, connection: GuardedConnection): Promise<Admitted> {
    const caller = this.callerOf(connection);
    const policy = RPC_AUTH_TABLE[method];
    if (policy === undefined) throw new AuthError('not-trusted', `method '${method}' is not available`);
    if (policy === 'adminPeer') {
      if (this.deps.admins === undefined) throw new AuthError('not-admin', 'Trust administration is not served by this daemon.');
      return { caller, admin: await this.deps.admins.authorise(caller) };
    }
    if (policy !== 'allowUntrusted') {
      await this.deps.policy.admit(caller, { bootstrap: policy === 'requiresTrust' });
      connection.markTrusted();
    }
    return { caller };
  }

  /**
   * Lets the call in, does `work`, and rejects with the status the client is to see (by
   * `toWire`, by default this class's) whatever fails on the way.
   */
  async serve<T>(
    method: string,
    call: RpcCall,
    work: (admitted: Admitted) => Promise<T>,
    toWire?: (error: unknown) => WireError,
  ): Promise<T> {
    try {
      return await work(await this.admit(method, call.connection));
    } catch (error) {
      throw toWire === undefined ? this.toWire(method, error) : toWire(error);
    }
  }

  /**
   * A failure as the client sees it: an AuthError's status and message (without server paths,
   * for callers may be anyone), else INTERNAL with the details in the daemon's log only.
   * `showPaths` keeps paths in, for callers already known to be admins.
   */
  toWire(method: string, error: unknown, { showPaths = false }: { showPaths?: boolean } = {}): WireError {
    const { logger } = this.deps;
    if (AuthError.is(error)) {
      const code = STATUS_FOR[error.code];
      if (error.code === 'store-unavailable' && !showPaths) {
        // The full story (file names, causes) is for the admin; callers may be anyone.
        logger.error('rpc failed', { method, code: error.code, error: error.message });
        return { code, details: INTERNAL_DETAILS };
      }
      logger.debug('rpc refused', { method, code: error.code });
      return { code, details: clipped(showPaths ? error.message : withoutPaths(error.message)) };
    }
    logger.error('rpc failed', { method, error: error instanceof Error ? error.stack : String(error) });
    return { code: StatusCode.INTERNAL, details: INTERNAL_DETAILS };
  }

  private callerOf(connection: GuardedConnection): Caller {
    const known = this.callers.get(connection);
    if (known !== undefined) return known;
    const { peer, certificate } = connection;
    const transport = this.deps.transport;
    const caller: Caller = certificate === undefined ? { transport, peer } : { transport, peer, certificate };
    this.callers.set(connection, caller);
    return caller;
  }
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
