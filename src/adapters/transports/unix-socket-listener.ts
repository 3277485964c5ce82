import { lstatSync, type Stats } from 'node:fs';
import { chmod, lchown, unlink } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Server } from 'node:tls';
import { kindOf, lstatIfPresent } from '../fs/no-follow.js';
import { ensureTrustedDirectory, type DirectoryRole } from '../fs/trusted-directory.js';
import { symlinkRefusal, UnsafePathError, wrongTypeRefusal } from '../fs/unsafe-path-error.js';
import { UNKNOWN_PEER, type Peer } from '../../domain/peer.js';
import type { Logger } from '../../ports/logger.js';
import { unixPeerCredentials } from '../system/libc.js';
import type { SocketAccess } from '../../ports/socket-access.js';
import { ListenError, type Listener } from './listener.js';
import type { AdminGroup } from './unix-group.js';

const RESTRICTED_MODE = 0o660;
const OPEN_MODE = 0o666;
const OWNER_ONLY_MODE = 0o600;
// Readable by all, so that every user can reach the socket inside (its own mode decides who may connect).
const DIR_MODE = 0o755;
const SOCKET_DIR: DirectoryRole = { name: "the socket's directory", option: '--address' };

/** Gives the socket file to a group; `lchown` by default, replaceable so tests can make it fail. */
export type ChangeOwner = (path: string, uid: number, gid: number) => Promise<void>;

/**
 * The Unix-socket transport. Its file mode is the OS-level access control that makes
 * bootstrap trust safe: while restricted, only the owner and the admin group can connect.
 * A socket cannot be opened, so its mode is set by name: the name is only trusted because its
 * directory passed the trusted-directory check (nobody else can swap it), and each chmod or
 * chown is preceded by an lstat proving the name is still the socket this listener bound.
 */
export class UnixSocketListener implements Listener, SocketAccess {
  readonly kind = 'unix' as const;
  readonly restrictable = true;
  private server: Server | undefined;
  private restricted = true;
  /** The socket file as bound: what every later chmod/chown must still find at the path. */
  private bound: Stats | undefined;

  constructor(
    private readonly path: string,
    private readonly adminGroup: AdminGroup | undefined,
    private readonly logger: Logger,
    private readonly changeOwner: ChangeOwner = lchown,
  ) {}

  address(): string {
    return `unix:${this.path}`;
  }

  /** @throws ListenError (address in use, bind failure) or UnsafePathError (an unsafe directory, a link at the path). */
  async listen(server: Server): Promise<void> {
    ensureTrustedDirectory(dirname(this.path), DIR_MODE, SOCKET_DIR);
    await this.removeStaleSocket();
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
    this.bound = lstatSync(this.path);
    this.requireBoundSocket();
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
    this.requireBoundSocket();
    let grouped = false;
    if (this.adminGroup !== undefined) {
      try {
        await this.changeOwner(this.path, process.getuid?.() ?? -1, this.adminGroup.gid);
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
    this.requireBoundSocket();
    await chmod(this.path, OPEN_MODE);
    this.restricted = false;
    this.logger.info('opened the socket to all users', { path: this.path });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // net.Server removes its socket file on close; this covers a server that did not.
    await unlink(this.path).catch(() => undefined);
  }

  /**
   * A socket file left by a daemon that died is removed; one that still answers belongs to a
   * running daemon, and starting a second one over it would steal its clients. Anything else
   * at the path (a link above all: connecting would follow it) is refused, not removed.
   */
  private async removeStaleSocket(): Promise<void> {
    const stats = lstatIfPresent(this.path);
    if (stats === undefined) return;
    if (stats.isSymbolicLink()) throw symlinkRefusal(this.path);
    if (!stats.isSocket()) throw wrongTypeRefusal(this.path, 'socket', kindOf(stats));
    const answer = await probe(this.path);
    if (answer === 'absent') return;
    if (answer === 'alive') {
      throw new ListenError(`another multipassd is already listening on '${this.path}'`);
    }
    this.logger.info('removing a stale socket file', { path: this.path });
    await unlink(this.path);
  }

  /** chmod and chown follow links: act only while the path is still the socket we bound, and ours. */
  private requireBoundSocket(): void {
    if (process.platform === 'win32') return;
    const bound = this.bound;
    const now = lstatIfPresent(this.path);
    const uid = process.geteuid?.();
    const ours =
      bound !== undefined &&
      now !== undefined &&
      now.isSocket() &&
      now.dev === bound.dev &&
      now.ino === bound.ino &&
      (uid === undefined || now.uid === uid);
    if (!ours) {
      const found = now === undefined ? 'nothing' : `${kindOf(now)} owned by uid ${now.uid}`;
      throw new UnsafePathError(
        this.path,
        `Refusing to change the permissions of '${this.path}': it is no longer the socket multipassd created there ` +
          `(found ${found}). Check who else can write to '${dirname(this.path)}', and restart multipassd.`,
      );
    }
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
