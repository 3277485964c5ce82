import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Logger } from '../../ports/logger.js';
import { identifyPeer } from './peer-identity.js';

const openConnections = new WeakMap<Server, Set<Socket>>();

/** Destroys every connection of a server made here, handshaking or not. */
export function destroyConnections(server: Server): void {
  for (const socket of openConnections.get(server) ?? []) socket.destroy();
}

export interface ServerTlsIdentity {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * The TLS front of the daemon. It asks every client for a certificate but accepts any
 * (self-signed client certificates are the point), then hands the decrypted connection to
 * grpc-js. Plaintext or broken handshakes are dropped with a debug line, never a crash.
 */
export function createTlsConnectionServer(
  identity: ServerTlsIdentity,
  inject: (socket: TLSSocket) => void,
  logger: Logger,
): Server {
  const server = createServer({
    cert: identity.certPem,
    key: identity.keyPem,
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: ['h2'],
    minVersion: 'TLSv1.2',
    // A client that never finishes the handshake must not hold a connection (or a stop) for long.
    handshakeTimeout: 10_000,
  });
  // Every raw connection, so that stop() can end even those grpc-js never saw.
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  openConnections.set(server, connections);
  // Inject only now: http2 waits for events a server-side TLSSocket emits after the handshake.
  server.on('secureConnection', (socket: TLSSocket) => {
    try {
      identifyPeer(socket);
    } catch (error) {
      logger.warn('dropping a connection whose client certificate cannot be read', { error: String(error) });
      socket.destroy();
      return;
    }
    inject(socket);
  });
  server.on('tlsClientError', (error) => {
    logger.debug('refused a connection that failed the TLS handshake', { error: error.message });
  });
  return server;
}
