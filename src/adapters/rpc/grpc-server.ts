import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from '../../ports/logger.js';
import type { Listener } from '../transports/listener.js';
import { createTlsConnectionServer, destroyConnections, type ServerTlsIdentity } from '../transports/tls-connection-server.js';
import { multipassRpcDefinition } from './proto.js';

/**
 * grpc-js behind our own TLS server: grpc-js never sees an unverified client certificate
 * otherwise (DESIGN.md, known facts), so it gets already-decrypted connections injected.
 */
export class GrpcServer {
  private readonly grpc = new Server();
  private tls: TlsServer | undefined;

  constructor(
    private readonly listener: Listener,
    private readonly identity: ServerTlsIdentity,
    private readonly logger: Logger,
  ) {}

  async start(service: UntypedServiceImplementation): Promise<void> {
    this.grpc.addService(multipassRpcDefinition(), service);
    // The TLS is ours, so grpc-js's own layer is plaintext over the decrypted socket.
    const injector = this.grpc.createConnectionInjector(ServerCredentials.createInsecure());
    this.tls = createTlsConnectionServer(this.identity, (socket) => injector.injectConnection(socket), this.logger);
    await this.listener.listen(this.tls);
  }

  address(): string {
    return this.listener.address();
  }

  async stop(): Promise<void> {
    this.grpc.forceShutdown();
    if (this.tls !== undefined) destroyConnections(this.tls);
    await this.listener.close();
  }
}
