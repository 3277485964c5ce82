import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Logger } from '../../ports/logger.js';
import { connectionOfTlsSocket, guardConnection, type ConnectionGuardDeps, type GuardedConnection } from './connection-guard.js';
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

/** What the secure context holds; setSecureContext resets whatever it is not given. */
const secureContextOptions = (identity: ServerTlsIdentity) =>
  ({ cert: identity.certPem, key: identity.keyPem, minVersion: 'TLSv1.2' }) as const;

/**
 * Presents `identity` to every handshake from now on. Established connections keep the
 * session they negotiated: nothing is dropped.
 */
export function replaceServerIdentity(server: Server, identity: ServerTlsIdentity): void {
  server.setSecureContext(secureContextOptions(identity));
}

/**
 * The TLS front of the daemon. It asks every client for a certificate but accepts any
 * (self-signed client certificates are the point), then hands the decrypted connection to
 * the gRPC server with the connection's guard. Every connection is guarded from accept (caps per peer and in total, deadlines
 * until it is trusted); plaintext or broken handshakes are dropped, never a crash.
 */
export function createTlsConnectionServer(
  identity: ServerTlsIdentity,
  serve: (socket: TLSSocket, connection: GuardedConnection) => void,
  guard: ConnectionGuardDeps,
  logger: Logger,
): Server {
  const server = createServer({
    ...secureContextOptions(identity),
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: ['h2'],
    // node's own timer is an idle timeout (a trickled handshake resets it): the guard's
    // absolute deadline is what holds; this one stays as a second line.
    handshakeTimeout: guard.settings.handshakeTimeoutMs,
  });
  // Every raw connection, so that stop() can end even those grpc-js never saw.
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (guardConnection(socket, guard) === undefined) return;
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  openConnections.set(server, connections);
  // Served only now: http2 waits for events a server-side TLSSocket emits after the handshake.
  server.on('secureConnection', (socket: TLSSocket) => {
    const connection = connectionOfTlsSocket(socket);
    if (connection === undefined) {
      socket.destroy();
      return;
    }
    // gRPC is HTTP/2 only; a client that did not ask for it (or asked for HTTP/1.1) is not one.
    if (socket.alpnProtocol !== 'h2') {
      connection.close('handshake-failed');
      return;
    }
    let identified;
    try {
      identified = identifyPeer(socket);
    } catch (error) {
      logger.warn('dropping a connection whose client certificate cannot be read', { error: String(error) });
      connection.close('unreadable-certificate');
      return;
    }
    connection.handshakeDone(identified?.certificate);
    if (identified !== undefined) {
      if (identified.certificate.notAfter.getTime() < Date.now() && guard.isTrusted(identified.certificate.fingerprint)) {
        logger.info('a trusted client presents an expired certificate; it stays trusted (pinned, as in Multipass)', {
          fingerprint: identified.certificate.fingerprint,
          notAfter: identified.certificate.notAfter.toISOString(),
        });
      }
    }
    serve(socket, connection);
  });
  server.on('tlsClientError', (error, socket) => {
    logger.debug('refused a connection that failed the TLS handshake', { error: error.message });
    const connection = connectionOfTlsSocket(socket);
    const timedOut = (error as NodeJS.ErrnoException).code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
    if (connection !== undefined) connection.close(timedOut ? 'handshake-timeout' : 'handshake-failed');
    else socket.destroy();
  });
  return server;
}
