/**
 * Facts read from Multipass's own `src/rpc/multipass.proto` (canonical/multipass), for the RPCs
 * this project serves: package, service, method shapes, and each message's fields with their
 * numbers and types. Written down as facts, not copied: the compat suite checks the project's
 * own .proto against them, so a renumbered or retyped field cannot slip in.
 */
export const MULTIPASS_PACKAGE = 'multipass';
export const MULTIPASS_SERVICE = 'Rpc';

export interface MethodFact {
  readonly request: string;
  readonly reply: string;
  /** Multipass streams both ways for every method but `ping`. */
  readonly streaming: boolean;
}

export const METHODS: Readonly<Record<string, MethodFact>> = {
  ping: { request: 'PingRequest', reply: 'PingReply', streaming: false },
  version: { request: 'VersionRequest', reply: 'VersionReply', streaming: true },
  list: { request: 'ListRequest', reply: 'ListReply', streaming: true },
  get: { request: 'GetRequest', reply: 'GetReply', streaming: true },
  set: { request: 'SetRequest', reply: 'SetReply', streaming: true },
  keys: { request: 'KeysRequest', reply: 'KeysReply', streaming: true },
  authenticate: { request: 'AuthenticateRequest', reply: 'AuthenticateReply', streaming: true },
};

/** `number type` per field; `repeated` and message types spelled as in the .proto. */
export const MESSAGES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  PingRequest: {},
  PingReply: {},
  UpdateInfo: { version: '1 string', url: '2 string', title: '3 string', description: '4 string' },
  VersionRequest: { verbosity_level: '1 int32' },
  VersionReply: { version: '1 string', log_line: '2 string', update_info: '3 UpdateInfo' },
  ListRequest: { verbosity_level: '1 int32', snapshots: '2 bool', request_ipv4: '3 bool' },
  InstanceStatus: { status: '1 Status' },
  Zone: { name: '1 string', available: '2 bool' },
  ListVMInstance: {
    name: '1 string',
    instance_status: '2 InstanceStatus',
    ipv4: '3 repeated string',
    current_release: '5 string',
    os: '6 string',
    zone: '7 Zone',
  },
  InstancesList: { instances: '1 repeated ListVMInstance' },
  SnapshotFundamentals: { snapshot_name: '1 string', parent: '2 string', comment: '3 string', creation_timestamp: '4 Timestamp' },
  ListVMSnapshot: { name: '1 string', fundamentals: '2 SnapshotFundamentals' },
  SnapshotsList: { snapshots: '1 repeated ListVMSnapshot' },
  ListReply: { instance_list: '1 InstancesList', snapshot_list: '2 SnapshotsList', log_line: '3 string', update_info: '4 UpdateInfo' },
  GetRequest: { key: '1 string', verbosity_level: '2 int32' },
  GetReply: { value: '1 string', log_line: '2 string' },
  SetRequest: { key: '1 string', val: '2 string', verbosity_level: '3 int32', authorized: '4 bool' },
  SetReply: { log_line: '1 string', reply_message: '2 string', needs_authorization: '3 bool' },
  KeysRequest: { verbosity_level: '1 int32' },
  KeysReply: { log_line: '1 string', settings_keys: '2 repeated string' },
  AuthenticateRequest: { passphrase: '1 string', verbosity_level: '2 int32' },
  AuthenticateReply: { log_line: '1 string' },
};

/** `InstanceStatus.Status`, value by name. */
export const INSTANCE_STATUS_VALUES: Readonly<Record<string, number>> = {
  UNKNOWN: 0,
  RUNNING: 1,
  STARTING: 2,
  RESTARTING: 3,
  STOPPED: 4,
  DELETED: 5,
  DELAYED_SHUTDOWN: 6,
  SUSPENDING: 7,
  SUSPENDED: 8,
  UNAVAILABLE: 9,
};

/** The oneof in ListReply. */
export const LIST_REPLY_ONEOF = { name: 'list_contents', fields: ['instance_list', 'snapshot_list'] } as const;
