import type { Socket } from 'node:net';
import type { Server } from 'node:tls';
import type { TransportKind } from '../../domain/caller.js';
import type { Peer } from '../../domain/peer.js';

/** Where the daemon's TLS server listens: a Unix socket path or a TCP host and port. */
export interface Listener {
  readonly kind: TransportKind;
  /** The address as clients name it: `unix:/path` or `host:port` (the real port once bound). */
  address(): string;
  /** Binds the server. @throws ListenError with a message for the admin. */
  listen(server: Server): Promise<void>;
  /** Who the OS says is at the other end of an accepted connection: never what the client claims. */
  peerOf(socket: Socket): Peer;
  /** Stops listening and removes what `listen` created (the socket file). */
  close(): Promise<void>;
}

/** Start-up refusals an admin must read (address in use, bad bind address). */
export class ListenError extends Error {
  override name = 'ListenError';
}
