import { credentials, status, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { multipassRpc } from './proto.js';
import {
  RpcFailure,
  type ConnectionProblem,
  type InstanceRow,
  type MultipassClient,
  type RpcStatusName,
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
const CHANNEL_OPTIONS = {
  'grpc.ssl_target_name_override': 'localhost',
  'grpc.default_authority': 'localhost',
} as const;

export function grpcTarget(address: string): string {
  return address.startsWith('unix:') ? `unix://${address.slice('unix:'.length).replace(/^\/\//, '')}` : address;
}

type Streaming = (this: Client) => ClientDuplexStream<object, Record<string, unknown>>;

class GrpcMultipassClient implements MultipassClient {
  constructor(private readonly client: Client) {}

  ping(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ping = (this.client as unknown as Record<string, Function>).ping as (
        request: object,
        callback: (error: ServiceError | null) => void,
      ) => void;
      ping.call(this.client, {}, (error) => (error ? reject(toFailure(error)) : resolve()));
    });
  }

  async version(verbosity: number): Promise<string> {
    const replies = await this.stream('version', { verbosity_level: verbosity });
    return String(replies[0]?.version ?? '');
  }

  async list(verbosity: number): Promise<readonly InstanceRow[]> {
    const replies = await this.stream('list', { verbosity_level: verbosity, request_ipv4: true });
    const list = replies.find((reply) => reply.instance_list !== undefined && reply.instance_list !== null)?.instance_list as
      | { instances: Array<{ name: string; instance_status?: { status: string }; ipv4: string[]; current_release: string }> }
      | undefined;
    return (list?.instances ?? []).map((instance) => ({
      name: instance.name,
      state: instance.instance_status?.status ?? 'UNKNOWN',
      ipv4: instance.ipv4,
      release: instance.current_release,
    }));
  }

  async get(key: string, verbosity: number): Promise<string> {
    const replies = await this.stream('get', { key, verbosity_level: verbosity });
    return String(replies[0]?.value ?? '');
  }

  async set(key: string, value: string, verbosity: number): Promise<void> {
    await this.stream('set', { key, val: value, verbosity_level: verbosity });
  }

  async authenticate(passphrase: string, verbosity: number): Promise<void> {
    await this.stream('authenticate', { passphrase, verbosity_level: verbosity });
  }

  close(): void {
    this.client.close();
  }

  /** Multipass's streaming shape: write one request, collect replies, the status decides. */
  private stream(method: string, request: object): Promise<Array<Record<string, unknown>>> {
    return new Promise((resolve, reject) => {
      const open = (this.client as unknown as Record<string, Streaming>)[method] as Streaming;
      const call = open.call(this.client);
      const replies: Array<Record<string, unknown>> = [];
      call.on('data', (reply: Record<string, unknown>) => replies.push(reply));
      call.on('error', (error: ServiceError) => reject(toFailure(error)));
      call.on('status', (result) => {
        if (result.code === status.OK) resolve(replies);
      });
      call.write(request);
      call.end();
    });
  }
}

export async function createGrpcClient(options: GrpcClientOptions): Promise<MultipassClient> {
  const Rpc = multipassRpc();
  const channelCredentials = credentials.createSsl(
    Buffer.from(options.rootCertPem),
    Buffer.from(options.clientKeyPem),
    Buffer.from(options.clientCertPem),
  );
  return new GrpcMultipassClient(new Rpc(grpcTarget(options.address), channelCredentials, CHANNEL_OPTIONS));
}

function toFailure(error: ServiceError): RpcFailure {
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
