import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import type { Logger } from '../../ports/logger.js';

/**
 * systemd's readiness protocol (sd_notify(3)) for a `Type=notify` service: one datagram of
 * `KEY=value` lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or `@name` in the
 * abstract namespace). Node has no datagram Unix sockets, so socket/sendto/close come from
 * the C library through koffi. The alternative, running `systemd-notify`, needs
 * NotifyAccess=all (any process of the service could then claim readiness) and races its exit.
 */

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
// Never block the event loop: a notification that cannot be queued at once is dropped.
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
/** sizeof(struct sockaddr_un): sa_family_t, then sun_path[108]. */
const SOCKADDR_UN_SIZE = 110;
const SUN_PATH_OFFSET = 2;

interface DatagramCalls {
  socket(domain: number, type: number, protocol: number): number;
  sendto(fd: number, data: Buffer, length: number, flags: number, address: Buffer, addressLength: number): number;
  close(fd: number): number;
  errno(): number;
}

let calls: DatagramCalls | null | undefined;

function bound(): DatagramCalls | undefined {
  if (calls === undefined) calls = bind() ?? null;
  return calls ?? undefined;
}

function bind(): DatagramCalls | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    // The process itself: node is linked against the C library, whatever its file is called.
    const lib = koffi.load(null);
    return {
      socket: lib.func('int socket(int domain, int type, int protocol)') as DatagramCalls['socket'],
      sendto: lib.func(
        'intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)',
      ) as DatagramCalls['sendto'],
      close: lib.func('int close(int fd)') as DatagramCalls['close'],
      errno: () => koffi.errno(),
    };
  } catch {
    return undefined;
  }
}

/**
 * The socket address for `name` as sd_notify reads $NOTIFY_SOCKET: an absolute path, or `@`
 * for the abstract namespace (a leading NUL, and a length that excludes any terminator).
 * @throws Error when the name is neither, or too long for sun_path.
 */
export function unixSocketAddress(name: string): { address: Buffer; length: number } {
  const abstract = name.startsWith('@');
  if (!abstract && !name.startsWith('/')) throw new Error(`unsupported NOTIFY_SOCKET '${name}' (not a path or @name)`);
  const path = Buffer.from(abstract ? `\0${name.slice(1)}` : name);
  // A path needs room for its terminating NUL; an abstract name may fill sun_path.
  if (path.length + (abstract ? 0 : 1) > SOCKADDR_UN_SIZE - SUN_PATH_OFFSET) throw new Error(`NOTIFY_SOCKET '${name}' is too long`);
  const address = Buffer.alloc(SOCKADDR_UN_SIZE);
  if (endianness() === 'LE') address.writeUInt16LE(AF_UNIX, 0);
  else address.writeUInt16BE(AF_UNIX, 0);
  path.copy(address, SUN_PATH_OFFSET);
  return { address, length: SUN_PATH_OFFSET + path.length + (abstract ? 0 : 1) };
}

/**
 * Sends one datagram to the Unix socket `name` (a path or `@abstract`).
 * @throws Error naming errno when it cannot be sent, or when datagram sockets are not available here.
 */
export function sendUnixDatagram(name: string, message: string): void {
  const libc = bound();
  if (libc === undefined) throw new Error('Unix datagram sockets are not available on this platform');
  const { address, length } = unixSocketAddress(name);
  const data = Buffer.from(message);
  // Opened, used and closed in one synchronous step: no child can be spawned meanwhile to inherit it.
  const fd = libc.socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) throw new Error(`socket() failed (errno ${libc.errno()})`);
  try {
    const sent = Number(libc.sendto(fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL, address, length));
    if (sent !== data.length) throw new Error(`sendto '${name}' failed (errno ${libc.errno()})`);
  } finally {
    libc.close(fd);
  }
}

/**
 * Tells the service manager about the daemon's state when it runs under systemd
 * (`Type=notify`); does nothing otherwise. A failure is logged, never thrown: the daemon works
 * the same without its service manager hearing from it.
 */
export class SystemdNotifier {
  constructor(
    private readonly socketName: string | undefined,
    private readonly logger: Logger,
    private readonly send: (name: string, message: string) => void = sendUnixDatagram,
  ) {}

  /** For this process's own $NOTIFY_SOCKET. */
  static fromEnvironment(env: NodeJS.ProcessEnv, logger: Logger): SystemdNotifier {
    const name = env.NOTIFY_SOCKET;
    return new SystemdNotifier(name === undefined || name === '' ? undefined : name, logger);
  }

  /** Listening and serving: systemd's start job completes, units ordered after it start. */
  ready(status: string): void {
    this.notify(`READY=1\nSTATUS=${oneLine(status)}`);
  }

  /** Shutting down: systemd waits for the exit instead of treating it as a crash. */
  stopping(status: string): void {
    this.notify(`STOPPING=1\nSTATUS=${oneLine(status)}`);
  }

  private notify(message: string): void {
    if (this.socketName === undefined) return;
    try {
      this.send(this.socketName, message);
    } catch (error) {
      this.logger.warn('cannot notify the service manager', { socket: this.socketName, error: (error as Error).message });
    }
  }
}

/** A newline would start another assignment in the datagram. */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');
