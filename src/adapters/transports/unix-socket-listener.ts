import { mkdirSync } from 'node:fs';
import { chmod, chown, unlink } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Server } from 'node:tls';
import { UNKNOWN_PEER, type Peer } from '../../domain/peer.js';
import type { Logger } from '../../ports/logger.js';
import { unixPeerCredentials } from '../system/libc.js';
import type { SocketAccess } from '../../ports/socket-access.js';
import { ListenError, type Listener } from './listener.js';
import type { AdminGroup } from './unix-group.js';

const RESTRICTED_MODE = 0o660;
const OPEN_MODE = 0o666;
const OWNER_ONLY_MODE = 0o600;

/**
 * The Unix-socket transport. Its file mode is the OS-level access control that makes
 * bootstrap trust safe: while restricted, only the owner and the admin group can connect.
 */
export class UnixSocketListener implements Listener, SocketAccess {
  readonly kind = 'unix' as const;
  readonly restrictable = true;
  private server: Server | undefined;
  private restricted = true;

  constructor(
    private readonly path: string,
    private readonly adminGroup: AdminGroup | undefined,
    private readonly logger: Logger,
  ) {}

  address(): string {
    return `unix:${this.path}`;
  }

  async listen(server: Server): Promise<void> {
    await this.removeStaleSocket();
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o755 });
    // Bind with a umask that leaves the socket owner-only: it must never be reachable by
    // everyone, even for the moment before restrict()/open() sets its real mode.
    const previousUmask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw new ListenError(`cannot listen on '${this.path}': ${(error as Error).message}`);
    } finally {
      process.umask(previousUmask);
    }
    this.server = server;
    this.restricted = true;
  }

  /** The kernel's peer credentials (SO_PEERCRED / getpeereid); unknown where they cannot be read. */
  peerOf(socket: Socket): Peer {
    const credentials = unixPeerCredentials(socket);
    return credentials === undefined ? UNKNOWN_PEER : { kind: 'unix', ...credentials };
  }

  isRestricted(): boolean {
    return this.restricted;
  }

  async restrict(): Promise<void> {
    let grouped = false;
    if (this.adminGroup !== undefined) {
      try {
        await chown(this.path, process.getuid?.() ?? -1, this.adminGroup.gid);
        grouped = true;
      } catch (error) {
        this.logger.warn('cannot give the socket to the admin group; it stays owner-only', {
          group: this.adminGroup.name,
          error: (error as Error).message,
        });
      }
    }
    // 0660 only once the group really is the admin group: otherwise whatever group owns the
    // file (the daemon's own, or a setgid directory's) could reach the bootstrap.
    await chmod(this.path, grouped ? RESTRICTED_MODE : OWNER_ONLY_MODE);
    this.restricted = true;
  }

  async open(): Promise<void> {
    if (!this.restricted) return;
    await chmod(this.path, OPEN_MODE);
    this.restricted = false;
    this.logger.info('opened the socket to all users', { path: this.path });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // net.Server removes its socket file on close; this covers a server that did not.
    await unlink(this.path).catch(() => undefined);
  }

  /**
   * A socket file left by a daemon that died is removed; one that still answers belongs to a
   * running daemon, and starting a second one over it would steal its clients.
   */
  private async removeStaleSocket(): Promise<void> {
    const answer = await probe(this.path);
    if (answer === 'absent') return;
    if (answer === 'alive') {
      throw new ListenError(`another multipassd is already listening on '${this.path}'`);
    }
    this.logger.info('removing a stale socket file', { path: this.path });
    await unlink(this.path);
  }
}

function probe(path: string): Promise<'absent' | 'alive' | 'stale'> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('alive');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // Only a refused connection proves nobody listens; anything else (EACCES, EAGAIN on a
      // full backlog) may be a live daemon, whose socket must not be deleted.
      if (error.code === 'ENOENT') resolve('absent');
      else if (error.code === 'ECONNREFUSED') resolve('stale');
      else resolve('alive');
    });
  });
}
