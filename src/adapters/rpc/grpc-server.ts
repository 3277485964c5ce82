import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Server as TlsServer } from 'node:tls';
import { ConnectionLimits } from '../../domain/connection-limits.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { Logger } from '../../ports/logger.js';
import { ClosedConnectionLog } from '../transports/closed-connection-log.js';
import { DEFAULT_GUARD_SETTINGS, type ConnectionGuardSettings, type ConnectionRegistry } from '../transports/connection-guard.js';
import type { Listener } from '../transports/listener.js';
import { createTlsConnectionServer, destroyConnections, replaceServerIdentity, type ServerTlsIdentity } from '../transports/tls-connection-server.js';
import { multipassRpcDefinition } from './proto.js';

export interface GrpcServerOptions {
  readonly guard?: ConnectionGuardSettings;
  readonly limits?: ConnectionLimits;
  /** O(1): whether a certificate is pinned; a connection showing one leaves the untrusted caps at once. */
  readonly isTrusted?: (fingerprint: Fingerprint) => boolean;
  /** Where trusted connections are kept by certificate, to end them when it is removed. */
  readonly registry?: ConnectionRegistry;
}

/** A service of our own served beside `multipass.Rpc`, on the same listener and TLS front. */
export interface ExtraService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/**
 * A session that stops reading (a wedged HTTP/2 state, a peer gone without a FIN) would hold
 * its socket forever: grpc-js pings every connection and destroys one that does not answer.
 */
const KEEPALIVE = { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000 } as const;

/**
 * grpc-js behind our own TLS server: grpc-js never sees an unverified client certificate
 * otherwise (DESIGN.md, known facts), so it gets already-decrypted connections injected.
 */
export class GrpcServer {
  private readonly grpc = new Server(KEEPALIVE);
  private tls: TlsServer | undefined;
  private readonly closed: ClosedConnectionLog;

  constructor(
    private readonly listener: Listener,
    private readonly identity: ServerTlsIdentity,
    private readonly logger: Logger,
    private readonly options: GrpcServerOptions = {},
  ) {
    this.closed = new ClosedConnectionLog(logger);
  }

  async start(service: UntypedServiceImplementation, extra: readonly ExtraService[] = []): Promise<void> {
    this.grpc.addService(multipassRpcDefinition(), service);
    for (const { definition, implementation } of extra) this.grpc.addService(definition, implementation);
    // The TLS is ours, so grpc-js's own layer is plaintext over the decrypted socket.
    const injector = this.grpc.createConnectionInjector(ServerCredentials.createInsecure());
    this.tls = createTlsConnectionServer(
      this.identity,
      (socket) => injector.injectConnection(socket),
      {
        settings: this.options.guard ?? DEFAULT_GUARD_SETTINGS,
        limits: this.options.limits ?? new ConnectionLimits(),
        closed: this.closed,
        peerOf: (socket) => this.listener.peerOf(socket),
        isTrusted: this.options.isTrusted ?? (() => false),
        ...(this.options.registry === undefined ? {} : { registry: this.options.registry }),
      },
      this.logger,
    );
    await this.listener.listen(this.tls);
  }

  address(): string {
    return this.listener.address();
  }

  /** A renewed certificate for new connections; open ones are left as they are. */
  renewIdentity(identity: ServerTlsIdentity): void {
    if (this.tls !== undefined) replaceServerIdentity(this.tls, identity);
  }

  async stop(): Promise<void> {
    this.grpc.forceShutdown();
    if (this.tls !== undefined) destroyConnections(this.tls);
    this.closed.flush();
    await this.listener.close();
  }
}
