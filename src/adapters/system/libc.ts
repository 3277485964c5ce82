import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/**
 * The few C library calls Node does not offer: the kernel's word on who is at the other end
 * of a Unix socket (SO_PEERCRED on Linux, getpeereid on macOS and the BSDs) and advisory
 * whole-file locks (flock) that the kernel releases when the holder dies. Bound through koffi,
 * whose prebuilt binaries come from the npm registry. Loaded on first use: the CLI never pays.
 */

export interface PeerCredentials {
  readonly uid: number;
  readonly gid: number;
  /** 0 where the platform does not report it (getpeereid). */
  readonly pid: number;
}

interface Bindings {
  peerCredentials(fd: number): PeerCredentials | undefined;
  flock(fd: number, operation: number): number;
}

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

let bindings: Bindings | null | undefined;

/** Undefined when the C library cannot be bound here (Windows, an unknown libc). */
function libc(): Bindings | undefined {
  if (bindings === undefined) bindings = bind() ?? null;
  return bindings ?? undefined;
}

function bind(): Bindings | undefined {
  if (process.platform === 'win32') return undefined;
  let koffi: typeof import('koffi');
  try {
    koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  } catch {
    return undefined;
  }
  const lib = openFirst(koffi, process.platform === 'darwin' ? ['libSystem.B.dylib', '/usr/lib/libSystem.B.dylib'] : ['libc.so.6', 'libc.so', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1']);
  if (lib === undefined) return undefined;
  const flock = lib.func('int flock(int fd, int operation)') as (fd: number, operation: number) => number;
  if (process.platform === 'linux') {
    const getsockopt = lib.func('int getsockopt(int fd, int level, int name, _Out_ void *value, _Inout_ uint32_t *length)') as (
      fd: number,
      level: number,
      name: number,
      value: Buffer,
      length: number[],
    ) => number;
    const { level, name } = soPeerCred();
    return {
      flock,
      peerCredentials: (fd) => {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        const value = Buffer.alloc(12);
        const length = [12];
        if (getsockopt(fd, level, name, value, length) !== 0 || length[0] !== 12) return undefined;
        return { pid: value.readInt32LE(0), uid: value.readUInt32LE(4), gid: value.readUInt32LE(8) };
      },
    };
  }
  const getpeereid = lib.func('int getpeereid(int fd, _Out_ uint32_t *uid, _Out_ uint32_t *gid)') as (
    fd: number,
    uid: number[],
    gid: number[],
  ) => number;
  return {
    flock,
    peerCredentials: (fd) => {
      const uid = [0];
      const gid = [0];
      if (getpeereid(fd, uid, gid) !== 0) return undefined;
      return { uid: uid[0]!, gid: gid[0]!, pid: 0 };
    },
  };
}

function openFirst(koffi: typeof import('koffi'), names: readonly string[]): ReturnType<typeof import('koffi').load> | undefined {
  for (const name of names) {
    try {
      return koffi.load(name);
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/** SOL_SOCKET and SO_PEERCRED differ on a few Linux architectures. */
function soPeerCred(): { level: number; name: number } {
  if (process.arch.startsWith('mips')) return { level: 0xffff, name: 18 };
  if (process.arch.startsWith('ppc')) return { level: 1, name: 21 };
  return { level: 1, name: 17 };
}

/** The file descriptor under a connected socket, where libuv exposes one. */
export function socketFd(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** Who the kernel says is connected on this Unix socket; undefined when it cannot tell. */
export function unixPeerCredentials(socket: Socket): PeerCredentials | undefined {
  const fd = socketFd(socket);
  if (fd === undefined) return undefined;
  return libc()?.peerCredentials(fd);
}

/**
 * Takes an exclusive flock on an open file without waiting.
 * @returns `true` when taken, `false` when another open file description holds it,
 * `undefined` when flock is not available here (the caller falls back to something else).
 */
export function tryLockExclusive(fd: number): boolean | undefined {
  const lib = libc();
  if (lib === undefined) return undefined;
  return lib.flock(fd, LOCK_EX | LOCK_NB) === 0;
}

export function unlock(fd: number): void {
  libc()?.flock(fd, LOCK_UN);
}

/** True when this platform's peer credentials and locks are bound (for tests that need them). */
export function libcAvailable(): boolean {
  return libc() !== undefined;
}
