import { credentials, status, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { multipassRpc } from './proto.js';
import {
  RpcFailure,
  type ConnectionProblem,
  type InstanceRow,
  type ListOptions,
  type ListResult,
  type LogLineSink,
  type MultipassClient,
  type RpcStatusName,
  type SnapshotRow,
  type UpdateInfo,
  type VersionResult,
} from './multipass-client.js';

export interface GrpcClientOptions {
  /** `unix:/path/to/socket` or `host:port`, as in MULTIPASS_SERVER_ADDRESS. */
  readonly address: string;
  /** The daemon's root CA: the daemon's certificate must chain to it. */
  readonly rootCertPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

/** The daemon's server certificate is issued for `localhost`, whatever the address. */
export const CHANNEL_OPTIONS = {
  'grpc.ssl_target_name_override': 'localhost',
  'grpc.default_authority': 'localhost',
} as const;

export function grpcTarget(address: string): string {
  return address.startsWith('unix:') ? `unix://${address.slice('unix:'.length).replace(/^\/\//, '')}` : address;
}

type Streaming = (this: Client) => ClientDuplexStream<object, WireReply>;
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

class GrpcMultipassClient implements MultipassClient {
  constructor(
    private readonly client: Client,
    private readonly onLogLine: LogLineSink,
  ) {}

  ping(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ping = (this.client as unknown as Record<string, Function>).ping as (
        request: object,
        callback: (error: ServiceError | null) => void,
      ) => void;
      ping.call(this.client, {}, (error) => (error ? reject(toFailure(error)) : resolve()));
    });
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
  private stream(method: string, request: object): Promise<WireReply | undefined> {
    return new Promise((resolve, reject) => {
      const open = (this.client as unknown as Record<string, Streaming>)[method] as Streaming;
      const call = open.call(this.client);
      let last: WireReply | undefined;
      call.on('data', (reply: WireReply) => {
        if (typeof reply.log_line === 'string' && reply.log_line !== '') this.onLogLine(reply.log_line);
        last = reply;
      });
      call.on('error', (error: ServiceError) => reject(toFailure(error)));
      call.on('status', (result) => {
        if (result.code === status.OK) resolve(last);
      });
      call.write(request);
      call.end();
    });
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

export async function createGrpcClient(options: GrpcClientOptions, onLogLine: LogLineSink): Promise<MultipassClient> {
  const Rpc = multipassRpc();
  const channelCredentials = credentials.createSsl(
    Buffer.from(options.rootCertPem),
    Buffer.from(options.clientKeyPem),
    Buffer.from(options.clientCertPem),
  );
  return new GrpcMultipassClient(new Rpc(grpcTarget(options.address), channelCredentials, CHANNEL_OPTIONS), onLogLine);
}

/** A failed call as the CLI reports it: the status, or why the daemon was never reached. */
export function toFailure(error: ServiceError): RpcFailure {
  const name = (status[error.code] ?? 'UNKNOWN') as RpcStatusName;
  return new RpcFailure(name, error.details ?? error.message, connectionProblem(error));
}

/** grpc-js reports a failed connect as UNAVAILABLE with the errno in the details. */
function connectionProblem(error: ServiceError): ConnectionProblem | undefined {
  if (error.code !== status.UNAVAILABLE) return undefined;
  const details = error.details ?? '';
  if (/EACCES|EPERM/.test(details)) return 'access-denied';
  if (/certificate|self[- ]signed|SSL|TLS|handshake/i.test(details)) return 'untrusted-daemon';
  if (/ENOENT|ECONNREFUSED|ENOTSOCK|EADDRNOTAVAIL|No connection established|Failed to connect/i.test(details)) {
    return 'cannot-connect';
  }
  return undefined;
}
