import { connect as connectHttp2, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { connect as connectTls } from 'node:tls';

/**
 * gRPC calls over Node's own http2 and tls, for the CLI: one process makes one or two calls,
 * and loading grpc-js (its channels, resolvers and load balancers) costs more than the calls.
 * The protocol is gRPC's HTTP/2 mapping: a POST to `/package.Service/method`, messages framed
 * with a 5-byte prefix, the outcome in the `grpc-status` and `grpc-message` trailers (or in
 * the headers of a trailers-only answer). Failures are reported as grpc-js reports them
 * (codes and details), so what users see does not depend on the client library.
 */

export interface ChannelOptions {
  /** `unix:/path/to/socket` or `host:port`, as in MULTIPASS_SERVER_ADDRESS. */
  readonly address: string;
  readonly rootCertPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

/** How a call ended. `connectionError` is set when no connection could be made at all. */
export interface CallStatus {
  readonly code: number;
  readonly details: string;
  readonly connectionError?: Error;
}

export const STATUS_OK = 0;
const CANCELLED = 1;
const UNKNOWN = 2;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;
const INTERNAL = 13;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;

/** grpc-js's default limit on a received message. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The daemon's server certificate is issued for `localhost`, whatever the address. */
const SERVER_NAME = 'localhost';

/** Where to connect: a Unix socket path, or a TCP host and port. */
export function connectTarget(address: string): { path: string } | { host: string; port: number } {
  if (address.startsWith('unix:')) return { path: address.slice('unix:'.length).replace(/^\/\//, '') };
  const match = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  // gRPC's default port, as grpc-js takes a target without one.
  return { host: host === undefined || host === '' ? address : host, port: match?.[3] === undefined ? 443 : Number(match[3]) };
}

/** Splits the bytes of a response into gRPC messages. */
export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);

  /** The messages completed by `chunk`. Throws on a compressed or oversized message. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (this.pending.length >= 5) {
      // No compression was offered, so a compressed message is a server's error.
      if (this.pending[0] !== 0) throw new Error('Received a compressed message, but no compression was negotiated');
      const length = this.pending.readUInt32BE(1);
      if (length > MAX_MESSAGE_BYTES) throw new RangeError(`Received message larger than max (${length} vs ${MAX_MESSAGE_BYTES})`);
      if (this.pending.length < 5 + length) break;
      messages.push(this.pending.subarray(5, 5 + length));
      this.pending = this.pending.subarray(5 + length);
    }
    return messages;
  }

  /** True when the stream ended in the middle of a message. */
  get partial(): boolean {
    return this.pending.length > 0;
  }
}

/** A message in gRPC's framing: uncompressed flag, big-endian length, bytes. */
export function frame(message: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  return framed;
}

/** grpc-js's reading of an HTTP status that is not 200. */
export function statusOfHttp(code: number): CallStatus {
  const details = `Received HTTP status code ${code}`;
  switch (code) {
    case 400:
      return { code: INTERNAL, details };
    case 401:
      return { code: UNAUTHENTICATED, details };
    case 403:
      return { code: PERMISSION_DENIED, details };
    case 404:
      return { code: UNIMPLEMENTED, details };
    case 429:
    case 502:
    case 503:
    case 504:
      return { code: UNAVAILABLE, details };
    default:
      return { code: UNKNOWN, details };
  }
}

/** grpc-js's reading of a stream the server reset without a status. */
export function statusOfReset(rstCode: number, connectionDropped: boolean): CallStatus {
  switch (rstCode) {
    case constants.NGHTTP2_REFUSED_STREAM:
      return { code: UNAVAILABLE, details: 'Stream refused by server' };
    case constants.NGHTTP2_CANCEL:
      // Node reports a dropped connection as a cancelled stream.
      return connectionDropped ? { code: UNAVAILABLE, details: 'Connection dropped' } : { code: CANCELLED, details: 'Call cancelled' };
    case constants.NGHTTP2_ENHANCE_YOUR_CALM:
      return { code: RESOURCE_EXHAUSTED, details: 'Bandwidth exhausted or memory limit exceeded' };
    case constants.NGHTTP2_INADEQUATE_SECURITY:
      return { code: PERMISSION_DENIED, details: 'Protocol not secure enough' };
    case constants.NGHTTP2_NO_ERROR:
      return { code: INTERNAL, details: `Received RST_STREAM with code ${rstCode} (Call ended without gRPC status)` };
    case constants.NGHTTP2_INTERNAL_ERROR:
      return { code: INTERNAL, details: `Received RST_STREAM with code ${rstCode} (Internal server error)` };
    default:
      return { code: INTERNAL, details: `Received RST_STREAM with code ${rstCode}` };
  }
}

/** The status in `grpc-status` and `grpc-message`, if the headers carry one. */
export function statusOfTrailers(headers: IncomingHttpHeaders): CallStatus | undefined {
  const code = headers['grpc-status'];
  if (typeof code !== 'string') return undefined;
  const message = headers['grpc-message'];
  let details = '';
  if (typeof message === 'string') {
    // Servers percent-encode it (grpc-js with encodeURI); a malformed one is shown as it came.
    try {
      details = decodeURI(message);
    } catch {
      details = message;
    }
  }
  return { code: Number(code), details };
}

/** One connection to a daemon, opened on the first call; a dropped one is reopened by the next. */
export class GrpcChannel {
  private session: ClientHttp2Session | undefined;
  private connected = false;
  private sessionError: Error | undefined;

  constructor(private readonly options: ChannelOptions) {}

  /**
   * Sends `request` as the call's only message and passes each message of the answer to
   * `onMessage` as it arrives. Resolves with the call's status; never rejects.
   */
  call(path: string, request: Buffer, onMessage: (message: Buffer) => void): Promise<CallStatus> {
    const session = this.open();
    return new Promise((resolve) => {
      let status: CallStatus | undefined;
      let httpStatus: number | undefined;
      const finish = (outcome: CallStatus) => {
        status ??= outcome;
      };
      const framer = new MessageFramer();
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      stream.on('response', (headers) => {
        httpStatus = Number(headers[':status']);
        // A trailers-only answer: the status comes with the headers.
        const early = statusOfTrailers(headers);
        if (early !== undefined) finish(early);
      });
      stream.on('data', (chunk: Buffer) => {
        if (status !== undefined) return;
        try {
          for (const message of framer.push(chunk)) onMessage(message);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          finish(error instanceof RangeError && httpStatus === 200 ? { code: RESOURCE_EXHAUSTED, details: reason } : failureOf(httpStatus, reason));
          stream.close(constants.NGHTTP2_CANCEL);
        }
      });
      stream.on('trailers', (trailers) => {
        finish(statusOfTrailers(trailers) ?? (httpStatus !== 200 && httpStatus !== undefined ? statusOfHttp(httpStatus) : { code: UNKNOWN, details: 'No status information received' }));
      });
      // Errors end in 'close', read below; without a listener they would be thrown.
      stream.on('error', () => undefined);
      stream.on('close', () => {
        // After any 'error' of the session, so that its reason can be reported.
        setImmediate(() => {
          if (status === undefined) finish(this.statusOfEarlyEnd(stream.rstCode, httpStatus));
          resolve(status!);
        });
      });
      stream.end(frame(request));
    });
  }

  close(): void {
    this.session?.close();
  }

  private statusOfEarlyEnd(rstCode: number | undefined, httpStatus: number | undefined): CallStatus {
    if (!this.connected) {
      const error = this.sessionError ?? new Error('connection closed');
      return { code: UNAVAILABLE, details: `No connection established. Last error: ${error.message}`, connectionError: error };
    }
    if (httpStatus !== undefined && httpStatus !== 200) return statusOfHttp(httpStatus);
    const dropped = this.session === undefined || this.session.destroyed || this.session.closed;
    if (rstCode === undefined) return { code: UNAVAILABLE, details: 'Connection dropped' };
    return statusOfReset(rstCode, dropped);
  }

  private open(): ClientHttp2Session {
    if (this.session !== undefined && !this.session.closed && !this.session.destroyed) return this.session;
    const { rootCertPem, clientCertPem, clientKeyPem } = this.options;
    this.connected = false;
    this.sessionError = undefined;
    const session = connectHttp2(`https://${SERVER_NAME}`, {
      createConnection: () =>
        connectTls({
          ...connectTarget(this.options.address),
          servername: SERVER_NAME,
          ca: rootCertPem,
          cert: clientCertPem,
          key: clientKeyPem,
          ALPNProtocols: ['h2'],
        }),
    });
    session.on('error', (error: Error) => {
      this.sessionError = error;
    });
    session.once('connect', () => {
      this.connected = true;
    });
    this.session = session;
    return session;
  }
}

function failureOf(httpStatus: number | undefined, reason: string): CallStatus {
  // A server that is not gRPC (an HTML error page): its HTTP status says more than the bytes.
  return httpStatus !== undefined && httpStatus !== 200 ? statusOfHttp(httpStatus) : { code: INTERNAL, details: reason };
}
