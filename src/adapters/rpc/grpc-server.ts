import { performServerHandshake, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { ConnectionLimits } from '../../domain/connection-limits.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { Logger } from '../../ports/logger.js';
import { ClosedConnectionLog } from '../transports/closed-connection-log.js';
import { DEFAULT_GUARD_SETTINGS, type ConnectionGuardSettings, type ConnectionRegistry, type GuardedConnection } from '../transports/connection-guard.js';
import type { Listener } from '../transports/listener.js';
import { createTlsConnectionServer, destroyConnections, replaceServerIdentity, type ServerTlsIdentity } from '../transports/tls-connection-server.js';
import { ByteBudget } from './byte-budget.js';
import type { ServedService } from './rpc-handlers.js';
import { respondWithStatus, ServerCall, type ServedMethod } from './server-call.js';
import { StatusCode } from './status-code.js';
import { WireCodec } from './wire-codec.js';

export interface GrpcServerOptions {
  readonly guard?: ConnectionGuardSettings;
  readonly limits?: ConnectionLimits;
  /** O(1): whether a certificate is pinned; a connection showing one leaves the untrusted caps at once. */
  readonly isTrusted?: (fingerprint: Fingerprint) => boolean;
  /** Where trusted connections are kept by certificate, to end them when it is removed. */
  readonly registry?: ConnectionRegistry;
  /**
   * Bytes of requests not yet whole that the calls of one connection, and of all connections,
   * may hold at once; a call that goes over is refused (RESOURCE_EXHAUSTED).
   */
  readonly maxPendingRequestBytesPerConnection?: number;
  readonly maxPendingRequestBytes?: number;
  /** Every connection is pinged this often; one that does not answer within `keepaliveTimeoutMs` is closed. */
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveTimeoutMs?: number;
}

/**
 * HTTP/2 settings for every session. What a session may hold in nghttp2's buffers (Node's
 * limit against a peer that floods frames) is raised from 10 to 32 MB, enough for a few
 * requests of gRPC's largest message (4 MiB) at once; streams at once are capped, where
 * grpc-js sets no cap, so that one connection cannot open thousands of calls.
 */
const SESSION_OPTIONS = { maxSessionMemory: 32, settings: { maxConcurrentStreams: 128 } } as const;
/** Two requests of gRPC's largest message per connection; 16 of them in all. */
const PENDING_PER_CONNECTION = 8 * 1024 * 1024 + 10;
const PENDING_IN_ALL = 64 * 1024 * 1024;

const ignore = (): void => undefined;

/**
 * The daemon's gRPC server: gRPC's HTTP/2 mapping served with node:http2 on the connections
 * our TLS front hands over (the front asks for a client certificate and accepts any, which
 * the trust check then judges per call). No grpc-js: its server cost more CPU per call than
 * the whole of this, and the daemon uses none of what it adds (load balancing, interceptors,
 * compression, channelz). What clients see is what grpc-js's server gives them: the same
 * status codes and details, trailers-only answers for failures, keepalive pings.
 */
export class GrpcServer {
  private readonly methods = new Map<string, ServedMethod>();
  private tls: TlsServer | undefined;
  private readonly closed: ClosedConnectionLog;
  private readonly pending: ByteBudget;

  constructor(
    private readonly listener: Listener,
    private readonly identity: ServerTlsIdentity,
    private readonly logger: Logger,
    private readonly options: GrpcServerOptions = {},
  ) {
    this.closed = new ClosedConnectionLog(logger);
    this.pending = new ByteBudget(options.maxPendingRequestBytes ?? PENDING_IN_ALL);
  }

  async start(services: readonly ServedService[]): Promise<void> {
    for (const service of services) this.add(service);
    this.tls = createTlsConnectionServer(
      this.identity,
      (socket, connection) => this.serve(socket, connection),
      {
        settings: this.options.guard ?? DEFAULT_GUARD_SETTINGS,
        limits: this.options.limits ?? new ConnectionLimits(),
        closed: this.closed,
        peerOf: (socket) => this.listener.peerOf(socket),
        isTrusted: this.options.isTrusted ?? (() => false),
        ...(this.options.registry === undefined ? {} : { registry: this.options.registry }),
      },
      this.logger,
    );
    await this.listener.listen(this.tls);
  }

  address(): string {
    return this.listener.address();
  }

  /** A renewed certificate for new connections; open ones are left as they are. */
  renewIdentity(identity: ServerTlsIdentity): void {
    if (this.tls !== undefined) replaceServerIdentity(this.tls, identity);
  }

  async stop(): Promise<void> {
    if (this.tls !== undefined) destroyConnections(this.tls);
    this.closed.flush();
    await this.listener.close();
  }

  private add({ schema, handlers }: ServedService): void {
    const codec = new WireCodec(schema);
    for (const [name, method] of Object.entries(schema.methods)) {
      const handler = handlers[name];
      if (handler === undefined) continue;
      this.methods.set(method.path, {
        path: method.path,
        requestStream: method.requestStream,
        responseStream: method.responseStream,
        decode: (bytes) => codec.decode(method.requestType, bytes),
        encode: (reply) => codec.encode(method.responseType, reply),
        handler,
      });
    }
  }

  /** An HTTP/2 session on a connection whose TLS handshake is done. */
  private serve(socket: TLSSocket, connection: GuardedConnection): void {
    const session = performServerHandshake(socket, SESSION_OPTIONS);
    // A malformed frame ends the session (and its socket); it is not the daemon's error.
    session.on('error', ignore);
    const budget = new ByteBudget(this.options.maxPendingRequestBytesPerConnection ?? PENDING_PER_CONNECTION, this.pending);
    session.on('stream', (stream, headers) => this.dispatch(stream, headers, connection, budget));
    this.keepAlive(session);
  }

  private dispatch(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, connection: GuardedConnection, budget: ByteBudget): void {
    // Errors end in 'close', which the call reads; unhandled they would be thrown.
    stream.on('error', ignore);
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      stream.respond({ ':status': 415 }, { endStream: true });
      return;
    }
    const path = headers[':path'] ?? '';
    const method = this.methods.get(path);
    if (method === undefined) {
      respondWithStatus(stream, { code: StatusCode.UNIMPLEMENTED, details: `The server does not implement the method ${path}` });
      return;
    }
    new ServerCall(stream, method, connection, headers['grpc-timeout'], budget);
  }

  /**
   * A session that stops reading (a wedged HTTP/2 state, a peer gone without a FIN) would hold
   * its socket for ever: every session is pinged, and one that does not answer is destroyed.
   */
  private keepAlive(session: ServerHttp2Session): void {
    const intervalMs = this.options.keepaliveIntervalMs ?? 30_000;
    const timeoutMs = this.options.keepaliveTimeoutMs ?? 10_000;
    const interval = setInterval(() => {
      const timeout = setTimeout(() => session.destroy(), timeoutMs);
      timeout.unref();
      const sent = session.ping((error) => {
        clearTimeout(timeout);
        if (error !== null) session.destroy();
      });
      if (!sent) clearTimeout(timeout);
    }, intervalMs);
    interval.unref();
    session.once('close', () => clearInterval(interval));
  }
}
