import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * A local attacker, as a separate process (so it can run as another uid): opens connections
 * of one kind to the daemon's address, keeps up to `parallel` open at once, and stops after
 * `count` connections or `durationMs`, whichever comes first. Loopback and Unix sockets only.
 * Prints one JSON line: how many it opened, and how many the daemon closed on it.
 *
 * usage: node hostile-generator.js <unix:/path|host:port> <kind> <count> <parallel> <durationMs> [cert.pem key.pem]
 */

export type HostileKind = 'nothing' | 'raw-bytes' | 'half-handshake' | 'trickle' | 'malformed-h2' | 'idle-tls';

export const HOSTILE_KINDS: readonly HostileKind[] = ['nothing', 'raw-bytes', 'half-handshake', 'trickle', 'malformed-h2', 'idle-tls'];

// The first bytes of a TLS ClientHello record: a server waits for the rest.
const PARTIAL_CLIENT_HELLO = Buffer.from('16030100c8010000c40303', 'hex');
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
// An empty SETTINGS frame, then a frame header announcing 16 MB of CONTINUATION: nghttp2 gives up on the session.
const MALFORMED_FRAMES = Buffer.from('000000040000000000' + 'ffffff0909090909090909', 'hex');

interface Target {
  readonly path?: string;
  readonly host?: string;
  readonly port?: number;
}

function parseTarget(address: string): Target {
  if (address.startsWith('unix:')) return { path: address.slice('unix:'.length) };
  const match = /^\[?([^\]]+)\]?:(\d+)$/.exec(address);
  if (match === null) throw new Error(`bad address ${address}`);
  return { host: match[1]!, port: Number(match[2]) };
}

function open(target: Target, kind: HostileKind, identity: { cert?: Buffer; key?: Buffer }): Socket {
  const raw = (onConnect: (socket: Socket) => void): Socket => {
    const socket = target.path !== undefined ? netConnect(target.path) : netConnect(target.port!, target.host!);
    socket.once('connect', () => onConnect(socket));
    return socket;
  };
  switch (kind) {
    case 'nothing':
      return raw(() => undefined);
    case 'raw-bytes':
      return raw((socket) => socket.write(Buffer.alloc(64, 0x41)));
    case 'half-handshake':
      return raw((socket) => socket.write(PARTIAL_CLIENT_HELLO));
    case 'trickle':
      return raw((socket) => {
        let sent = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || sent >= PARTIAL_CLIENT_HELLO.length) return clearInterval(timer);
          socket.write(PARTIAL_CLIENT_HELLO.subarray(sent, sent + 1));
          sent += 1;
        }, 300);
        socket.once('close', () => clearInterval(timer));
      });
    case 'malformed-h2':
    case 'idle-tls': {
      const options = {
        ...(target.path !== undefined ? { path: target.path } : { host: target.host!, port: target.port! }),
        rejectUnauthorized: false,
        ALPNProtocols: ['h2'],
        servername: 'localhost',
        ...(identity.cert !== undefined ? { cert: identity.cert, key: identity.key } : {}),
      };
      const socket = tlsConnect(options, () => {
        if (kind === 'malformed-h2') socket.write(Buffer.concat([H2_PREFACE, MALFORMED_FRAMES]));
      });
      return socket;
    }
  }
}

export async function generate(
  address: string,
  kind: HostileKind,
  count: number,
  parallel: number,
  durationMs: number,
  identity: { cert?: Buffer; key?: Buffer } = {},
): Promise<{ kind: HostileKind; opened: number; closedByServer: number }> {
  const target = parseTarget(address);
  const deadline = Date.now() + durationMs;
  let opened = 0;
  let closedByServer = 0;
  let open_ = 0;
  const sockets = new Set<Socket>();
  // TLS sockets closed by the server mid-handshake can leave the loop momentarily empty.
  const keepAlive = setInterval(() => undefined, 1000);
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (open_ < parallel && opened < count && Date.now() < deadline) {
        opened += 1;
        open_ += 1;
        const socket = open(target, kind, identity);
        sockets.add(socket);
        let ours = false;
        socket.on('error', () => undefined);
        socket.once('close', () => {
          sockets.delete(socket);
          open_ -= 1;
          if (!ours) closedByServer += 1;
          setImmediate(pump);
        });
        socket.setTimeout(Math.max(1, deadline - Date.now()), () => {
          ours = true;
          socket.destroy();
        });
      }
      if (open_ === 0 && (opened >= count || Date.now() >= deadline)) resolve();
    };
    pump();
    const stop = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, durationMs + 100);
    stop.unref();
  });
  clearInterval(keepAlive);
  return { kind, opened, closedByServer };
}

// Run as a program: node hostile-generator.js ...
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const [address, kind, count, parallel, durationMs, certPath, keyPath] = process.argv.slice(2);
  const identity = certPath !== undefined && keyPath !== undefined ? { cert: readFileSync(certPath), key: readFileSync(keyPath) } : {};
  const result = await generate(address!, kind as HostileKind, Number(count), Number(parallel), Number(durationMs), identity);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
