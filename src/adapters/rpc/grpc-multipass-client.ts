import type { ChannelOptions } from './grpc-channel.js';
import { MULTIPASS_WIRE } from './multipass-wire-schema.js';
import {
  type InstanceRow,
  type ListOptions,
  type ListResult,
  type LogLineSink,
  type MultipassClient,
  type SnapshotRow,
  type UpdateInfo,
  type VersionResult,
} from './multipass-client.js';
import { WireClient, type WireReply } from './wire-client.js';

export type GrpcClientOptions = ChannelOptions;

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

/**
 * The daemon's RPCs over `GrpcChannel` (through `WireClient`), with the messages the generated schema describes:
 * the CLI neither loads grpc-js nor parses the .proto.
 */
class GrpcMultipassClient implements MultipassClient {
  constructor(
    private readonly client: WireClient,
    private readonly onLogLine: LogLineSink,
  ) {}

  async ping(): Promise<void> {
    await this.client.call('ping', {});
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
    this.client.close();
  }

  /**
   * Multipass's streaming shape: write one request, read every reply, passing on each
   * `log_line` as it comes; the status decides, and the answer is in the last reply.
   */
  private async stream(method: string, request: object): Promise<WireReply | undefined> {
    let last: WireReply | undefined;
    await this.client.call(method, request, (reply) => {
      if (typeof reply.log_line === 'string' && reply.log_line !== '') this.onLogLine(reply.log_line);
      last = reply;
    });
    return last;
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
  return new GrpcMultipassClient(new WireClient(MULTIPASS_WIRE, options), onLogLine);
}
