import { isIP, type AddressInfo, type Socket } from 'node:net';
import type { Server } from 'node:tls';
import { UNKNOWN_PEER, type Peer } from '../../domain/peer.js';
import type { Logger } from '../../ports/logger.js';
import type { SocketAccess } from '../../ports/socket-access.js';
import { ListenError, type Listener } from './listener.js';

/**
 * The TCP transport (Multipass's choice on Windows). The OS does not restrict who connects,
 * so there is nothing to restrict or open, and no caller is ever bootstrapped over it.
 */
export class TcpListener implements Listener, SocketAccess {
  readonly kind = 'tcp' as const;
  readonly restrictable = false;
  private server: Server | undefined;
  private readonly host: string;
  private readonly port: number;

  /**
   * @param hostPort `host:port`; `localhost` binds 127.0.0.1, so that it never means every
   * interface or an address the resolver happens to pick.
   * @param allowRemote a non-loopback host is refused unless this is true.
   */
  constructor(
    hostPort: string,
    private readonly allowRemote: boolean,
    private readonly logger: Logger,
  ) {
    const { host, port } = splitHostPort(hostPort);
    this.host = host === 'localhost' ? '127.0.0.1' : host;
    this.port = port;
  }

  address(): string {
    const bound = this.server?.address() as AddressInfo | null | undefined;
    const port = bound?.port ?? this.port;
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${port}`;
  }

  async listen(server: Server): Promise<void> {
    if (!isLoopback(this.host)) {
      if (!this.allowRemote) {
        throw new ListenError(
          `refusing to listen on non-loopback address '${this.host}': clients would reach the daemon from the network; set allow_remote: true to do it anyway`,
        );
      }
      this.logger.warn('listening on a non-loopback address: the daemon is reachable from the network', { host: this.host });
    }
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, this.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw new ListenError(`cannot listen on '${this.host}:${this.port}': ${(error as Error).message}`);
    }
    this.server = server;
  }

  /** TCP knows only the remote address: see peerNetwork. */
  peerOf(socket: Socket): Peer {
    const address = socket.remoteAddress;
    return address === undefined ? UNKNOWN_PEER : { kind: 'tcp', address: peerNetwork(address) };
  }

  isRestricted(): boolean {
    return false;
  }

  async restrict(): Promise<void> {}

  async open(): Promise<void> {}

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function splitHostPort(hostPort: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(hostPort);
  if (match === null) throw new ListenError(`not a host:port address: '${hostPort}'`);
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * The network a TCP peer is counted by, so that one user cannot become many peers by picking
 * source addresses: all of 127.0.0.0/8 is loopback (any local user can bind any of it) and an
 * IPv6 host usually holds a whole /64. Every local TCP user is therefore one peer: only the
 * Unix socket tells users apart.
 */
export function peerNetwork(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped?.[1] ?? (isIP(address) === 4 ? address : undefined);
  if (v4 !== undefined) return v4.startsWith('127.') ? '127.0.0.0/8' : v4;
  if (isIP(address) !== 6) return address;
  if (address === '::1') return '::1';
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...(tail === undefined ? [] : zeros), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
