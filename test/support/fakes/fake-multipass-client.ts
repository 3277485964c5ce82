import type { InstanceRow, MultipassClient, RpcFailure } from '../../../src/adapters/rpc/multipass-client.js';

export type ClientMethod = 'ping' | 'version' | 'list' | 'get' | 'set' | 'authenticate';

export interface ClientCall {
  readonly method: ClientMethod;
  readonly args: readonly unknown[];
}

/**
 * A MultipassClient that answers from memory and records every call. Give `failWith` an
 * RpcFailure to make every call (or one method) fail the way the gRPC client would.
 */
export class FakeMultipassClient implements MultipassClient {
  readonly calls: ClientCall[] = [];
  readonly settings = new Map<string, string>([['local.passphrase', 'false']]);
  instances: InstanceRow[] = [];
  daemonVersion = '1.2.3';
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

  async version(verbosity: number): Promise<string> {
    this.record('version', [verbosity]);
    return this.daemonVersion;
  }

  async list(verbosity: number): Promise<readonly InstanceRow[]> {
    this.record('list', [verbosity]);
    return this.instances;
  }

  async get(key: string, verbosity: number): Promise<string> {
    this.record('get', [key, verbosity]);
    return this.settings.get(key) ?? '';
  }

  async set(key: string, value: string, verbosity: number): Promise<void> {
    this.record('set', [key, value, verbosity]);
    this.settings.set(key, value);
  }

  async authenticate(passphrase: string, verbosity: number): Promise<void> {
    this.record('authenticate', [passphrase, verbosity]);
  }

  close(): void {
    this.closed = true;
  }

  private record(method: ClientMethod, args: readonly unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method) ?? this.failures.get('*');
    if (failure !== undefined) throw failure;
  }
}
