import { GrpcChannel, type ChannelOptions } from './grpc-channel.js';
import { STATUS_OK, statusName, type CallStatus } from './grpc-status.js';
import { RpcFailure, type ConnectionProblem } from './multipass-client.js';
import { WireCodec } from './wire-codec.js';
import type { WireSchema } from './wire-schema.js';

export type WireReply = Record<string, unknown>;

/**
 * How long a call to multipassd's own services (whoami, trust administration) may take,
 * connecting included: a wedged daemon is an error to report, not a hang.
 */
export const OWN_SERVICE_DEADLINE_MS = 15_000;

// One codec per schema for the process: building one walks every message of the service.
const codecs = new WeakMap<WireSchema, WireCodec>();

function codecFor(schema: WireSchema): WireCodec {
  let codec = codecs.get(schema);
  if (codec === undefined) codecs.set(schema, (codec = new WireCodec(schema)));
  return codec;
}

/**
 * The calls of one service over `GrpcChannel`, with the messages its generated schema
 * describes: what every client of the daemon in the CLI stack is made of (multipass.Rpc,
 * multipassd.Client, multipassd.TrustAdmin), with neither grpc-js nor a .proto parsed.
 */
export class WireClient {
  private readonly codec: WireCodec;
  private readonly channel: GrpcChannel;

  /** `deadlineMs`: how long each call may take, connecting included (none: as long as it takes). */
  constructor(
    private readonly schema: WireSchema,
    options: ChannelOptions,
    private readonly deadlineMs?: number,
  ) {
    this.codec = codecFor(schema);
    this.channel = new GrpcChannel(options);
  }

  /** Runs one call, passing each reply to `onReply`; rejects with `RpcFailure` unless its status is OK. */
  async call(method: string, request: object, onReply: (reply: WireReply) => void = () => undefined): Promise<void> {
    const { path, requestType, responseType } = this.schema.methods[method]!;
    let unreadable = false;
    const result = await this.channel.call(path, this.codec.encode(requestType, request), (bytes) => {
      if (unreadable) return;
      let reply: WireReply;
      try {
        reply = this.codec.decode(responseType, bytes);
      } catch {
        unreadable = true;
        return;
      }
      onReply(reply);
    }, this.deadlineMs);
    if (result.code !== STATUS_OK) throw toFailure(result);
    // grpc-js's words for a reply it cannot decode.
    if (unreadable) throw new RpcFailure('INTERNAL', 'Response message parsing error');
  }

  /** A unary call's reply (the last one, had the server sent several); rejects as `call` does. */
  async unary<Reply = WireReply>(method: string, request: object): Promise<Reply> {
    let last: WireReply | undefined;
    await this.call(method, request, (reply) => {
      last = reply;
    });
    // A unary answer with an OK status and no message is a broken server.
    if (last === undefined) throw new RpcFailure('UNIMPLEMENTED', 'No message received');
    return last as Reply;
  }

  close(): void {
    this.channel.close();
  }
}

/** A failed call as the CLI reports it: the status, or why the daemon was never reached. */
function toFailure(result: CallStatus): RpcFailure {
  return new RpcFailure(statusName(result.code), result.details, result.connectionError === undefined ? undefined : connectionProblem(result.details));
}

/** A connection that could not be made: the errno or the TLS failure is in the details. */
function connectionProblem(details: string): ConnectionProblem | undefined {
  if (/EACCES|EPERM/.test(details)) return 'access-denied';
  if (/certificate|self[- ]signed|SSL|TLS|handshake/i.test(details)) return 'untrusted-daemon';
  if (/ENOENT|ECONNREFUSED|ENOTSOCK|EADDRNOTAVAIL|No connection established|Failed to connect/i.test(details)) {
    return 'cannot-connect';
  }
  return undefined;
}
