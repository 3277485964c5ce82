import type {
  InstanceRow,
  ListOptions,
  ListResult,
  LogLineSink,
  MultipassClient,
  RpcFailure,
  SnapshotRow,
  UpdateInfo,
  VersionResult,
} from '../../../src/adapters/rpc/multipass-client.js';

export type ClientMethod = 'ping' | 'version' | 'list' | 'get' | 'set' | 'keys' | 'authenticate';

export interface ClientCall {
  readonly method: ClientMethod;
  readonly args: readonly unknown[];
}

/**
 * A MultipassClient that answers from memory and records every call. Give `failWith` an
 * RpcFailure to make every call (or one method) fail the way the gRPC client would, and
 * `logLines` to have every call stream them to the log sink first, as the daemon does.
 */
export class FakeMultipassClient implements MultipassClient {
  readonly calls: ClientCall[] = [];
  /** What the daemon stores, as it answers on the wire: '' is an unset passphrase. */
  readonly settings = new Map<string, string>([['local.passphrase', '']]);
  instances: InstanceRow[] = [];
  snapshots: SnapshotRow[] = [];
  daemonVersion = '1.2.3';
  updateInfo: UpdateInfo = { version: '', url: '', title: '', description: '' };
  logLines: string[] = [];
  /** Where log lines go: set by whoever hands out this client (the CLI's stderr). */
  onLogLine: LogLineSink = () => undefined;
  closed = false;
  private readonly failures = new Map<ClientMethod | '*', RpcFailure>();

  failWith(failure: RpcFailure, method: ClientMethod | '*' = '*'): this {
    this.failures.set(method, failure);
    return this;
  }

  callsTo(method: ClientMethod): readonly (readonly unknown[])[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  async ping(): Promise<void> {
    this.record('ping', []);
  }

  async version(verbosity: number): Promise<VersionResult> {
    this.record('version', [verbosity]);
    return { version: this.daemonVersion, updateInfo: this.updateInfo };
  }

  async list(options: ListOptions, verbosity: number): Promise<ListResult> {
    this.record('list', [options, verbosity]);
    return options.snapshots
      ? { kind: 'snapshots', snapshots: this.snapshots }
      : { kind: 'instances', instances: this.instances };
  }

  async get(key: string, verbosity: number): Promise<string> {
    this.record('get', [key, verbosity]);
    return this.settings.get(key) ?? '';
  }

  async set(key: string, value: string, verbosity: number): Promise<void> {
    this.record('set', [key, value, verbosity]);
    this.settings.set(key, value);
  }

  async keys(verbosity: number): Promise<readonly string[]> {
    this.record('keys', [verbosity]);
    return [...this.settings.keys()];
  }

  async authenticate(passphrase: string, verbosity: number): Promise<void> {
    this.record('authenticate', [passphrase, verbosity]);
  }

  close(): void {
    this.closed = true;
  }

  private record(method: ClientMethod, args: readonly unknown[]): void {
    this.calls.push({ method, args });
    for (const line of this.logLines) this.onLogLine(line);
    const failure = this.failures.get(method) ?? this.failures.get('*');
    if (failure !== undefined) throw failure;
  }
}
