import { GrpcChannel, type ChannelOptions } from './grpc-channel.js';
import { STATUS_OK, statusName, type CallStatus } from './grpc-status.js';
import { MULTIPASS_WIRE } from './multipass-wire-schema.js';
import {
  RpcFailure,
  type ConnectionProblem,
  type InstanceRow,
  type ListOptions,
  type ListResult,
  type LogLineSink,
  type MultipassClient,
  type SnapshotRow,
  type UpdateInfo,
  type VersionResult,
} from './multipass-client.js';
import { WireCodec } from './wire-codec.js';

export type GrpcClientOptions = ChannelOptions;

type WireReply = Record<string, unknown>;

interface WireInstance {
  name: string;
  instance_status?: { status: string };
  ipv4: string[];
  current_release: string;
}

interface WireSnapshot {
  name: string;
  fundamentals?: { snapshot_name: string; parent: string; comment: string; creation_timestamp?: { seconds: string } };
}

const NO_UPDATE: UpdateInfo = { version: '', url: '', title: '', description: '' };

let sharedCodec: WireCodec | undefined;
const wireCodec = (): WireCodec => (sharedCodec ??= new WireCodec(MULTIPASS_WIRE));

/**
 * The daemon's RPCs over `GrpcChannel`, with the messages the generated schema describes:
 * the CLI neither loads grpc-js nor parses the .proto.
 */
class GrpcMultipassClient implements MultipassClient {
  private readonly codec = wireCodec();

  constructor(
    private readonly channel: GrpcChannel,
    private readonly onLogLine: LogLineSink,
  ) {}

  async ping(): Promise<void> {
    await this.call('ping', {});
  }

  async version(verbosity: number): Promise<VersionResult> {
    const reply = await this.stream('version', { verbosity_level: verbosity });
    const update = reply?.update_info as UpdateInfo | null | undefined;
    return { version: String(reply?.version ?? ''), updateInfo: update ?? NO_UPDATE };
  }

  async list(options: ListOptions, verbosity: number): Promise<ListResult> {
    const request = { verbosity_level: verbosity, snapshots: options.snapshots, request_ipv4: options.requestIpv4 };
    const reply = await this.stream('list', request);
    // Without either list the reply answers what was asked, with nothing in it.
    const contents = reply?.list_contents ?? (options.snapshots ? 'snapshot_list' : 'instance_list');
    if (contents === 'snapshot_list') {
      const list = reply?.snapshot_list as { snapshots: WireSnapshot[] } | undefined;
      return { kind: 'snapshots', snapshots: (list?.snapshots ?? []).map(snapshotRow) };
    }
    const list = reply?.instance_list as { instances: WireInstance[] } | undefined;
    return { kind: 'instances', instances: (list?.instances ?? []).map(instanceRow) };
  }

  async get(key: string, verbosity: number): Promise<string> {
    const reply = await this.stream('get', { key, verbosity_level: verbosity });
    return String(reply?.value ?? '');
  }

  async set(key: string, value: string, verbosity: number): Promise<void> {
    await this.stream('set', { key, val: value, verbosity_level: verbosity });
  }

  async keys(verbosity: number): Promise<readonly string[]> {
    const reply = await this.stream('keys', { verbosity_level: verbosity });
    return ((reply?.settings_keys as string[] | undefined) ?? []).map(String);
  }

  async authenticate(passphrase: string, verbosity: number): Promise<void> {
    await this.stream('authenticate', { passphrase, verbosity_level: verbosity });
  }

  close(): void {
    this.channel.close();
  }

  /**
   * Multipass's streaming shape: write one request, read every reply, passing on each
   * `log_line` as it comes; the status decides, and the answer is in the last reply.
   */
  private async stream(method: string, request: object): Promise<WireReply | undefined> {
    let last: WireReply | undefined;
    await this.call(method, request, (reply) => {
      if (typeof reply.log_line === 'string' && reply.log_line !== '') this.onLogLine(reply.log_line);
      last = reply;
    });
    return last;
  }

  /** Runs one call and rejects with its status unless it is OK. */
  private async call(method: string, request: object, onReply: (reply: WireReply) => void = () => undefined): Promise<void> {
    const { path, requestType, responseType } = MULTIPASS_WIRE.methods[method]!;
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
    });
    if (result.code !== STATUS_OK) throw toFailure(result);
    // grpc-js's words for a reply it cannot decode.
    if (unreadable) throw new RpcFailure('INTERNAL', 'Response message parsing error');
  }
}

const instanceRow = (instance: WireInstance): InstanceRow => ({
  name: instance.name,
  state: instance.instance_status?.status ?? 'UNKNOWN',
  ipv4: instance.ipv4,
  release: instance.current_release,
});

const snapshotRow = (snapshot: WireSnapshot): SnapshotRow => ({
  instance: snapshot.name,
  name: snapshot.fundamentals?.snapshot_name ?? '',
  parent: snapshot.fundamentals?.parent ?? '',
  comment: snapshot.fundamentals?.comment ?? '',
  createdSeconds: Number(snapshot.fundamentals?.creation_timestamp?.seconds ?? 0),
});

/** A client for the daemon at `options.address`; it connects on its first call. */
export async function createGrpcClient(options: GrpcClientOptions, onLogLine: LogLineSink): Promise<MultipassClient> {
  return new GrpcMultipassClient(new GrpcChannel(options), onLogLine);
}

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
