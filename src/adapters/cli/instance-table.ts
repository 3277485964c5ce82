import type { InstanceRow } from '../rpc/multipass-client.js';

const STATE_COLUMN = 18;
const IPV4_COLUMN = 17;
const MIN_NAME_COLUMN = 24;
const COLUMN_GAP = 3;

/** Multipass's words for the wire's `InstanceStatus.Status` names. */
const STATE_NAMES: Readonly<Record<string, string>> = {
  RUNNING: 'Running',
  STARTING: 'Starting',
  RESTARTING: 'Restarting',
  STOPPED: 'Stopped',
  DELETED: 'Deleted',
  DELAYED_SHUTDOWN: 'Delayed Shutdown',
  SUSPENDING: 'Suspending',
  SUSPENDED: 'Suspended',
  UNAVAILABLE: 'Unavailable',
};

/** `multipass list`'s table (Multipass's column widths), or its message for an empty list. */
export function formatInstances(instances: readonly InstanceRow[]): string {
  if (instances.length === 0) return 'No instances found.\n';
  const nameColumn = Math.max(MIN_NAME_COLUMN, ...instances.map((instance) => instance.name.length + COLUMN_GAP));
  const row = (name: string, state: string, ipv4: string, image: string) =>
    `${name.padEnd(nameColumn)}${state.padEnd(STATE_COLUMN)}${ipv4.padEnd(IPV4_COLUMN)}${image}`.trimEnd() + '\n';

  let text = row('Name', 'State', 'IPv4', 'Image');
  for (const instance of [...instances].sort(byName)) {
    const [first, ...others] = instance.ipv4;
    const image = instance.release === '' ? 'Not Available' : `Ubuntu ${instance.release}`;
    text += row(instance.name, STATE_NAMES[instance.state] ?? 'Unknown', first ?? '--', image);
    for (const address of others) text += row('', '', address, '');
  }
  return text;
}

// Code-point order, as Multipass's std::string comparison: the same on every locale.
const byName = (a: InstanceRow, b: InstanceRow): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
