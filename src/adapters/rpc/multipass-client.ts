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

/**
 * The daemon's RPCs as the CLI uses them. Every method rejects with `RpcFailure`.
 * `verbosity` is the count of `-v` flags (0-4), passed through as Multipass does.
 */
export interface MultipassClient {
  ping(): Promise<void>;
  version(verbosity: number): Promise<string>;
  list(verbosity: number): Promise<readonly InstanceRow[]>;
  get(key: string, verbosity: number): Promise<string>;
  set(key: string, value: string, verbosity: number): Promise<void>;
  authenticate(passphrase: string, verbosity: number): Promise<void>;
  close(): void;
}
