/** The gRPC status names the CLI reacts to; anything else is reported with its details. */
export type RpcStatusName =
  | 'OK'
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED';

/**
 * Why a call did not reach the daemon at all. `access-denied`: the OS refused to let us
 * connect to the socket (EACCES); `cannot-connect`: nothing listens there;
 * `untrusted-daemon`: something answered, but its certificate does not chain to our root CA.
 */
export type ConnectionProblem = 'access-denied' | 'cannot-connect' | 'untrusted-daemon';

/** A call that failed: the daemon's status and message, or why we never reached it. */
export class RpcFailure extends Error {
  constructor(
    readonly status: RpcStatusName,
    readonly details: string,
    readonly connection?: ConnectionProblem,
  ) {
    super(`${status}: ${details}`);
    this.name = 'RpcFailure';
  }
}

export interface InstanceRow {
  readonly name: string;
  readonly state: string;
  readonly ipv4: readonly string[];
  readonly release: string;
}

export interface SnapshotRow {
  /** The instance the snapshot belongs to. */
  readonly instance: string;
  readonly name: string;
  /** '' when the snapshot has no parent. */
  readonly parent: string;
  readonly comment: string;
  /** Seconds since the epoch, for ordering. */
  readonly createdSeconds: number;
}

/** What `list` answered: instances, or snapshots when they were asked for. */
export type ListResult =
  | { readonly kind: 'instances'; readonly instances: readonly InstanceRow[] }
  | { readonly kind: 'snapshots'; readonly snapshots: readonly SnapshotRow[] };

export interface ListOptions {
  readonly snapshots: boolean;
  /** Ask the daemon to look up instances' IPv4 addresses (Multipass's `--no-ipv4` clears it). */
  readonly requestIpv4: boolean;
}

/** The wire's `UpdateInfo`; `version` is '' when no update is offered. */
export interface UpdateInfo {
  readonly version: string;
  readonly url: string;
  readonly title: string;
  readonly description: string;
}

export interface VersionResult {
  readonly version: string;
  readonly updateInfo: UpdateInfo;
}

/** Where the daemon's `log_line` replies go as they arrive (the CLI's stderr). */
export type LogLineSink = (logLine: string) => void;

/**
 * The daemon's RPCs as the CLI uses them. Every method rejects with `RpcFailure`.
 * `verbosity` is the count of `-v` flags (0-4), passed through as Multipass does. As
 * Multipass's client does, the answer is taken from the last reply of the stream, and every
 * reply's `log_line` goes to the client's log sink.
 */
export interface MultipassClient {
  ping(): Promise<void>;
  version(verbosity: number): Promise<VersionResult>;
  list(options: ListOptions, verbosity: number): Promise<ListResult>;
  get(key: string, verbosity: number): Promise<string>;
  set(key: string, value: string, verbosity: number): Promise<void>;
  /** The settings keys the daemon serves. */
  keys(verbosity: number): Promise<readonly string[]>;
  authenticate(passphrase: string, verbosity: number): Promise<void>;
  close(): void;
}
