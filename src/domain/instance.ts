export type InstanceStatus =
  | 'UNKNOWN'
  | 'RUNNING'
  | 'STARTING'
  | 'RESTARTING'
  | 'STOPPED'
  | 'DELETED'
  | 'DELAYED_SHUTDOWN'
  | 'SUSPENDING'
  | 'SUSPENDED'
  | 'UNAVAILABLE';

export interface Instance {
  readonly name: string;
  readonly status: InstanceStatus;
  readonly ipv4: readonly string[];
  readonly release: string;
}
