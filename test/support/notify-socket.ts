import { createRequire } from 'node:module';
import { unixSocketAddress } from '../../src/adapters/system/sd-notify.js';

/**
 * A stand-in for systemd's notification socket: an AF_UNIX datagram socket bound at a path or
 * an abstract `@name`, read without blocking (Node has no datagram Unix sockets: koffi again).
 */
export interface NotifySocket {
  /** What $NOTIFY_SOCKET should say. */
  readonly name: string;
  /** Every datagram received so far, in order. */
  messages(): string[];
  /** Resolves with the first datagram containing `line` as one of its lines. */
  waitFor(line: string, timeoutMs?: number): Promise<string>;
  close(): void;
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const MAX_DATAGRAM = 4096;

interface Calls {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Buffer, length: number): number;
  recv(fd: number, buffer: Buffer, length: number, flags: number): number;
  close(fd: number): number;
}

let calls: Calls | undefined;

function libc(): Calls {
  if (calls !== undefined) return calls;
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load(null);
  calls = {
    socket: lib.func('int socket(int, int, int)') as Calls['socket'],
    bind: lib.func('int bind(int, const void *, uint32_t)') as Calls['bind'],
    recv: lib.func('intptr_t recv(int, _Out_ void *, size_t, int)') as Calls['recv'],
    close: lib.func('int close(int)') as Calls['close'],
  };
  return calls;
}

/** Binds `name` (a path, or `@abstract`) and polls it every 20 ms until closed. */
export function bindNotifySocket(name: string): NotifySocket {
  const c = libc();
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) throw new Error('socket() failed');
  const { address, length } = unixSocketAddress(name);
  if (c.bind(fd, address, length) !== 0) {
    c.close(fd);
    throw new Error(`cannot bind ${name}`);
  }
  const received: string[] = [];
  const waiters: Array<() => void> = [];
  const buffer = Buffer.alloc(MAX_DATAGRAM);
  const poll = setInterval(() => {
    for (;;) {
      const size = Number(c.recv(fd, buffer, buffer.length, 0));
      if (size < 0) break;
      received.push(buffer.subarray(0, size).toString());
    }
    for (const waiter of waiters.splice(0)) waiter();
  }, 20);
  let open = true;
  return {
    name,
    messages: () => [...received],
    waitFor: (line, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          const found = received.find((message) => message.split('\n').includes(line));
          if (found !== undefined) return resolve(found);
          if (Date.now() > deadline || !open) return reject(new Error(`no '${line}' on ${name}; got ${JSON.stringify(received)}`));
          waiters.push(check);
        };
        check();
      }),
    close: () => {
      if (!open) return;
      open = false;
      clearInterval(poll);
      c.close(fd);
      for (const waiter of waiters.splice(0)) waiter();
    },
  };
}
