import { connect as connectHttp2, constants, type ClientHttp2Session } from 'node:http2';
import { connect as connectTls, type PeerCertificate, type TLSSocket } from 'node:tls';
import { plainFingerprint, type ClientTrace } from './client-trace.js';
import { frame, MessageFramer } from './grpc-framing.js';
import { STATUS_OK, statusName as statusNameOf, statusOf, statusOfHttp, statusOfReset, statusOfTrailers, type CallStatus } from './grpc-status.js';

/**
 * gRPC calls over Node's own http2 and tls, for the CLI: a command makes one or two calls
 * from a fresh process, and loading grpc-js (its channels, resolvers and load balancers) took
 * longer than the calls. This is gRPC's HTTP/2 mapping: a POST to `/package.Service/method`,
 * messages in gRPC's framing, the outcome in the `grpc-status` and `grpc-message` trailers (or
 * in the headers of a trailers-only answer), read as grpc-js reads them.
 */

export interface ChannelOptions {
  /** `unix:/path/to/socket` or `host:port`, as in MULTIPASS_SERVER_ADDRESS. */
  readonly address: string;
  /** The daemon's root CA: the daemon's certificate must chain to it. */
  readonly rootCertPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** Where `-v` ... `-vvvv` show the connection and the calls; none when quiet. */
  readonly trace?: ClientTrace | undefined;
}

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

/**
 * tls.checkServerIdentity for the name `localhost`: one of the certificate's DNS names, or
 * its common name when it has none. Node's own first calls net.isIP, whose IPv6 expression
 * takes a fresh process longer to compile than the rest of the handshake; for the same reason
 * no SNI is sent (Node checks that a server name is not an IP address), and neither
 * Multipass's daemon nor ours looks at it.
 */
export function checkServerName(_host: string, certificate: PeerCertificate): Error | undefined {
  const dnsNames = (certificate.subjectaltname ?? '')
    .split(', ')
    .filter((name) => name.startsWith('DNS:'))
    .map((name) => name.slice('DNS:'.length).toLowerCase());
  const commonNames = [certificate.subject?.CN ?? []].flat().map((name) => name.toLowerCase());
  if ((dnsNames.length > 0 ? dnsNames : commonNames).includes(SERVER_NAME)) return undefined;
  const error = new Error(
    `Hostname/IP does not match certificate's altnames: Host: ${SERVER_NAME}. is not in the cert's altnames: ${certificate.subjectaltname ?? '(none)'}`,
  );
  return Object.assign(error, { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
}

/** One connection to a daemon, opened by the first call; a dropped one is reopened by the next. */
export class GrpcChannel {
  private session: ClientHttp2Session | undefined;
  private connected = false;
  private sessionError: Error | undefined;

  constructor(private readonly options: ChannelOptions) {}

  /**
   * Sends `request` as the call's only message and passes each message of the answer to
   * `onMessage` as it arrives. Resolves with the call's status; never rejects. With
   * `deadlineMs`, a call not over by then (connecting included) ends as DEADLINE_EXCEEDED, as
   * grpc-js ends it, and the server is told (`grpc-timeout`).
   */
  call(path: string, request: Buffer, onMessage: (message: Buffer) => void, deadlineMs?: number): Promise<CallStatus> {
    const trace = this.options.trace;
    if (trace === undefined) return this.send(path, request, onMessage, deadlineMs);
    const started = Date.now();
    this.open();
    trace(2, `calling ${path}`);
    trace(4, `${path}: request of ${request.length} bytes`);
    return this.send(path, request, (message) => {
      trace(4, `${path}: reply of ${message.length} bytes`);
      onMessage(message);
    }, deadlineMs).then((status) => {
      const details = status.code === STATUS_OK || status.details === '' ? '' : ` (${status.details})`;
      trace(2, `${path}: ${statusNameOf(status.code)}${details.replace(/\n/g, " ")} in ${Date.now() - started} ms`);
      return status;
    });
  }

  private send(path: string, request: Buffer, onMessage: (message: Buffer) => void, deadlineMs: number | undefined): Promise<CallStatus> {
    const session = this.open();
    return new Promise((resolve) => {
      let status: CallStatus | undefined;
      let httpStatus: number | undefined;
      const framer = new MessageFramer();
      const requestHeaders = { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' };
      const stream = session.request(deadlineMs === undefined ? requestHeaders : { ...requestHeaders, 'grpc-timeout': `${Math.ceil(deadlineMs)}m` });
      const deadline =
        deadlineMs === undefined
          ? undefined
          : setTimeout(() => {
              status ??= statusOf('DEADLINE_EXCEEDED', 'Deadline exceeded');
              stream.close(constants.NGHTTP2_CANCEL);
              // Never connected: a stream still pending would not close, and a handshake that
              // hangs would keep the process alive.
              if (!this.connected) session.destroy();
              resolve(status);
            }, deadlineMs);
      stream.on('response', (headers) => {
        httpStatus = Number(headers[':status']);
        // A trailers-only answer: the status comes with the headers.
        status ??= statusOfTrailers(headers);
      });
      stream.on('data', (chunk: Buffer) => {
        if (status !== undefined) return;
        try {
          for (const message of framer.push(chunk)) onMessage(message);
        } catch (error) {
          // A server that is not gRPC (an HTML error page): its HTTP status says more than its bytes.
          const reason = error instanceof Error ? error.message : String(error);
          if (httpStatus !== 200) status = statusOfHttp(httpStatus ?? 0);
          else status = statusOf(error instanceof RangeError ? 'RESOURCE_EXHAUSTED' : 'INTERNAL', reason);
          stream.close(constants.NGHTTP2_CANCEL);
        }
      });
      stream.on('trailers', (trailers) => {
        status ??= statusOfTrailers(trailers) ?? (httpStatus === 200 ? statusOf('UNKNOWN', 'No status information received') : statusOfHttp(httpStatus ?? 0));
      });
      // Errors end in 'close', read there; without a listener they would be thrown.
      stream.on('error', () => undefined);
      stream.on('close', () => {
        clearTimeout(deadline);
        // After the session's own 'error', so that its reason can be reported.
        setImmediate(() => resolve(status ?? this.statusOfEarlyEnd(stream.rstCode, httpStatus)));
      });
      stream.end(frame(request));
    });
  }

  close(): void {
    this.session?.close();
  }

  private statusOfEarlyEnd(rstCode: number | undefined, httpStatus: number | undefined): CallStatus {
    if (!this.connected) {
      const error = this.sessionError ?? new Error('the connection closed');
      return { ...statusOf('UNAVAILABLE', `No connection established. Last error: ${error.message}`), connectionError: error };
    }
    if (httpStatus !== undefined && httpStatus !== 200) return statusOfHttp(httpStatus);
    if (rstCode === undefined) return statusOf('UNAVAILABLE', 'Connection dropped');
    return statusOfReset(rstCode, this.session === undefined || this.session.closed || this.session.destroyed);
  }

  private open(): ClientHttp2Session {
    if (this.session !== undefined && !this.session.closed && !this.session.destroyed) return this.session;
    const { address, rootCertPem, clientCertPem, clientKeyPem, trace } = this.options;
    this.connected = false;
    this.sessionError = undefined;
    trace?.(2, `connecting to ${address}`);
    let tls: TLSSocket | undefined;
    const session = connectHttp2(`https://${SERVER_NAME}`, {
      createConnection: () =>
        (tls = connectTls({
          ...connectTarget(address),
          ca: rootCertPem,
          cert: clientCertPem,
          key: clientKeyPem,
          checkServerIdentity: checkServerName,
          ALPNProtocols: ['h2'],
        })),
    });
    session.on('error', (error: Error) => {
      this.sessionError = error;
      trace?.(2, `connection to ${address} failed: ${error.message}`);
    });
    session.once('connect', () => {
      this.connected = true;
      if (trace !== undefined && tls !== undefined) traceConnection(trace, address, tls);
    });
    this.session = session;
    return session;
  }
}

/** -vv: who we are to the daemon (the fingerprint `multipassd trust list` shows); -vvvv: the TLS details. */
function traceConnection(trace: ClientTrace, address: string, tls: TLSSocket): void {
  const own = tls.getCertificate();
  const daemon = tls.getPeerCertificate();
  trace(2, `connected to ${address}; this client's certificate fingerprint: ${plainFingerprint(own !== null && 'fingerprint256' in own ? own.fingerprint256 : undefined)}`);
  const cipher = tls.getCipher();
  trace(4, `TLS ${tls.getProtocol() ?? '?'}, cipher ${cipher.name}, ALPN ${String(tls.alpnProtocol)}`);
  trace(
    4,
    `daemon certificate: subject CN=${String(daemon.subject?.CN)}, issuer CN=${String(daemon.issuer?.CN)}, ` +
      `valid ${daemon.valid_from} to ${daemon.valid_to}, fingerprint ${plainFingerprint(daemon.fingerprint256)}`,
  );
}
