import { constants, type ServerHttp2Stream } from 'node:http2';
import type { GuardedConnection } from '../transports/connection-guard.js';
import type { ByteBudget } from './byte-budget.js';
import { frame, MessageFramer, NO_BYTES, wholeMessage } from './grpc-framing.js';
import { isWireError, type RpcCall, type RpcHandler, type WireError } from './rpc-handlers.js';
import { StatusCode } from './status-code.js';

/** A method as the server dispatches it: its shape, its messages' codec, its handler. */
export interface ServedMethod {
  readonly path: string;
  /**
   * Multipass's streaming methods read one request: the first is served at once and later
   * ones are ignored; a stream that ends without one is served the default request (every
   * field at its default), as Multipass's daemon does. A unary method takes exactly one.
   */
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  decode(bytes: Buffer): unknown;
  encode(reply: unknown): Buffer;
  readonly handler: RpcHandler;
}

/** What grpc-js's server sends; we take no compressed messages, and say so. */
const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc+proto', 'grpc-accept-encoding': 'identity' } as const;
const WAIT_FOR_TRAILERS = { waitForTrailers: true } as const;
const END_STREAM = { endStream: true } as const;
const OK_TRAILERS = { 'grpc-status': '0', 'grpc-message': 'OK' } as const;
const INTERNAL_ERROR: WireError = { code: StatusCode.INTERNAL, details: 'internal error; see the multipassd log' };
/** gRPC's timeout header: up to 8 digits and a unit (hours to nanoseconds). */
const TIMEOUT = /^(\d{1,8})\s*([HMSmun])$/;
const MS_PER_UNIT: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/**
 * One gRPC call on an HTTP/2 stream: gRPC's HTTP/2 mapping, server side. Requests arrive in
 * gRPC's framing (no compression, 4 MiB at most), the handler's replies leave the same way,
 * and the status goes in the trailers, or alone in the headers when nothing was sent before
 * (a trailers-only answer), with the same codes and details grpc-js's server gives. A call
 * the client cancelled, or whose deadline (`grpc-timeout`) passed, sends nothing more.
 */
export class ServerCall implements RpcCall {
  /** Until the request is served (or the call is over): later data is read and dropped. */
  private reading = true;
  /** Made only for requests cut across reads (or several in one): most arrive whole. */
  private framer: MessageFramer | undefined;
  /** What the framer holds, as taken from the connection's budget. */
  private held = 0;
  private request: unknown;
  private received = false;
  private started = false;
  private headersSent = false;
  private finished = false;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly method: ServedMethod,
    readonly connection: GuardedConnection,
    timeout: string | string[] | undefined,
    private readonly budget: ByteBudget,
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    // `on`, not `once`: each fires once anyway, and once's wrapper is a cost on every call.
    stream.on('end', () => this.onEnd());
    stream.on('close', () => this.settle());
    if (timeout !== undefined) this.armDeadline(String(timeout));
  }

  write(reply: object): void {
    if (this.finished || this.gone()) return;
    const bytes = this.encoded(reply);
    if (bytes === undefined) return;
    this.sendHeaders();
    this.stream.write(frame(bytes));
  }

  private onData(chunk: Buffer): void {
    // Once served (or over), whatever else comes is read and dropped: nothing piles up.
    if (!this.reading) return;
    // The usual request: one whole message in one read, nothing held before it.
    const whole = this.framer === undefined ? wholeMessage(chunk) : undefined;
    if (whole !== undefined) {
      this.onMessage(whole);
      return;
    }
    this.framer ??= new MessageFramer();
    let messages: Buffer[];
    try {
      messages = this.framer.push(chunk);
    } catch (error) {
      const details = error instanceof Error ? error.message : String(error);
      this.fail({ code: error instanceof RangeError ? StatusCode.RESOURCE_EXHAUSTED : StatusCode.UNIMPLEMENTED, details });
      return;
    }
    if (!this.holdPending()) {
      this.fail({ code: StatusCode.RESOURCE_EXHAUSTED, details: 'Too much request data in flight on this connection' });
      return;
    }
    for (const message of messages) {
      if (!this.onMessage(message)) return;
    }
  }

  /** One request message; false when the call reads no more. */
  private onMessage(message: Buffer): boolean {
    if (this.received) {
      if (!this.method.requestStream) this.fail({ code: StatusCode.UNIMPLEMENTED, details: `Received a second request message for server streaming method ${this.method.path}` });
      return false;
    }
    this.received = true;
    const request = this.decoded(message);
    if (request === undefined) return false;
    if (this.method.requestStream) {
      this.dropFramer();
      this.run(request);
      return false;
    }
    this.request = request;
    return true;
  }

  private onEnd(): void {
    if (this.finished || this.started) return;
    if (this.received) {
      this.run(this.request);
      return;
    }
    if (!this.method.requestStream) {
      this.fail({ code: StatusCode.UNIMPLEMENTED, details: `Received no request message for server streaming method ${this.method.path}` });
      return;
    }
    const request = this.decoded(NO_BYTES);
    if (request !== undefined) this.run(request);
  }

  private run(request: unknown): void {
    this.started = true;
    this.dropFramer();
    let answer: Promise<unknown>;
    try {
      answer = this.method.handler(request as never, this);
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (result) => this.conclude(true, result),
      (error: unknown) => this.conclude(false, error),
    );
  }

  /**
   * Sends the handler's outcome. An outcome that cannot be sent (a streaming handler that did
   * not return its replies) ends this call, never the daemon.
   */
  private conclude(succeeded: boolean, outcome: unknown): void {
    try {
      if (succeeded) this.succeed(outcome);
      else this.fail(isWireError(outcome) ? outcome : INTERNAL_ERROR);
    } catch {
      this.abandon();
    }
  }

  private succeed(result: unknown): void {
    if (this.finished || this.gone()) return this.settle();
    if (!this.method.responseStream) {
      const bytes = this.encoded(result);
      if (bytes !== undefined) this.end(OK_TRAILERS, frame(bytes));
      return;
    }
    for (const reply of result as readonly object[]) {
      this.write(reply);
      if (this.finished) return;
    }
    this.end(OK_TRAILERS);
  }

  private fail(error: WireError): void {
    if (this.finished || this.gone()) return this.settle();
    if (this.headersSent) {
      this.end(statusTrailers(error));
      return;
    }
    this.settle();
    respondWithStatus(this.stream, error);
  }

  /** After a failure to send the outcome: INTERNAL if that can still be said, else the stream is reset. */
  private abandon(): void {
    try {
      if (!this.finished) this.fail(INTERNAL_ERROR);
      else if (!this.gone()) this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    } catch {
      this.stream.destroy();
    }
  }

  /** Ends the call with `trailers` after the headers (and `last`, one more message). */
  private end(trailers: Record<string, string>, last?: Buffer): void {
    this.sendHeaders();
    this.settle();
    this.stream.on('wantTrailers', () => this.stream.sendTrailers(trailers));
    this.stream.end(last);
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.respond(RESPONSE_HEADERS, WAIT_FOR_TRAILERS);
  }

  /** The client cancelled, or the connection is gone: nothing can be sent. */
  private gone(): boolean {
    return this.stream.destroyed || this.stream.closed;
  }

  /** Nothing more is read or sent for this call. */
  private settle(): void {
    this.finished = true;
    this.dropFramer();
    if (this.deadline !== undefined) clearTimeout(this.deadline);
  }

  /**
   * Takes what the framer now holds from the budget; false when that is over it. Requests
   * that arrive whole hold nothing: only a request cut across reads does, until it is whole.
   */
  private holdPending(): boolean {
    const pending = this.framer?.pendingBytes ?? 0;
    const within = this.budget.change(pending - this.held);
    this.held = pending;
    return within;
  }

  private dropFramer(): void {
    this.reading = false;
    this.framer = undefined;
    this.holdPending();
  }

  private decoded(message: Buffer): unknown {
    try {
      return this.method.decode(message);
    } catch {
      this.fail({ code: StatusCode.INTERNAL, details: 'Error deserializing request' });
      return undefined;
    }
  }

  private encoded(reply: unknown): Buffer | undefined {
    try {
      return this.method.encode(reply);
    } catch {
      this.fail({ code: StatusCode.INTERNAL, details: 'Error serializing response' });
      return undefined;
    }
  }

  private armDeadline(header: string): void {
    const match = TIMEOUT.exec(header);
    if (match === null) {
      // After the constructor, once the stream's listeners are in place.
      process.nextTick(() => this.fail({ code: StatusCode.INTERNAL, details: `Invalid grpc-timeout value "${header}"` }));
      return;
    }
    const timeoutMs = Number(match[1]) * MS_PER_UNIT[match[2]!]!;
    this.deadline = setTimeout(() => this.fail({ code: StatusCode.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }), timeoutMs);
    this.deadline.unref();
  }
}

/** A trailers-only answer: the status alone, in the headers, and the stream ended. */
export function respondWithStatus(stream: ServerHttp2Stream, error: WireError): void {
  stream.respond({ ...RESPONSE_HEADERS, ...statusTrailers(error) }, END_STREAM);
}

const statusTrailers = (error: WireError): Record<string, string> => ({
  'grpc-status': String(error.code),
  'grpc-message': percentEncoded(error.details),
});

/**
 * `grpc-message` as grpc-js writes it (encodeURI), made safe first: a lone surrogate, which a
 * caller's own text may hold, would make encodeURI throw.
 */
function percentEncoded(details: string): string {
  return encodeURI(details.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}
