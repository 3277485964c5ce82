import type { InstanceRow } from '../../rpc/multipass-client.js';
import type { OutputFormat } from './output-format.js';
import { toQtJson } from './qt-json.js';
import { columnWidth, byName } from './columns.js';
import { emitYaml } from './yaml-cpp-emitter.js';

const STATE_COLUMN = 18;
const IPV4_COLUMN = 17;
const MIN_NAME_COLUMN = 24;

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

const stateOf = (instance: InstanceRow): string => STATE_NAMES[instance.state] ?? 'Unknown';
const imageOf = (instance: InstanceRow): string => (instance.release === '' ? 'Not Available' : `Ubuntu ${instance.release}`);

/** `multipass list` in the requested format, as Multipass prints it (without zones). */
export function formatInstances(instances: readonly InstanceRow[], format: OutputFormat): string {
  switch (format) {
    case 'table':
      return table(instances);
    case 'json':
      // Multipass keeps the daemon's order here and sorts the other formats.
      return toQtJson({
        list: instances.map((i) => ({ name: i.name, state: stateOf(i), ipv4: [...i.ipv4], release: imageOf(i) })),
      });
    case 'csv':
      return [...instances]
        .sort(byName)
        .reduce(
          (text, i) => `${text}${i.name},${stateOf(i)},${i.ipv4[0] ?? ''},${imageOf(i)},"${i.ipv4.join(',')}"\n`,
          'Name,State,IPv4,Release,AllIPv4\n',
        );
    case 'yaml':
      return emitYaml(
        Object.fromEntries(
          [...instances].sort(byName).map((i) => [i.name, [{ state: stateOf(i), ipv4: [...i.ipv4], release: imageOf(i) }]]),
        ),
      );
  }
}

/** Multipass's table (its column widths), or its message for an empty list. */
function table(instances: readonly InstanceRow[]): string {
  if (instances.length === 0) return 'No instances found.\n';
  const nameColumn = columnWidth(['Name', ...instances.map((instance) => instance.name)], MIN_NAME_COLUMN);
  const row = (name: string, state: string, ipv4: string, image: string) =>
    `${name.padEnd(nameColumn)}${state.padEnd(STATE_COLUMN)}${ipv4.padEnd(IPV4_COLUMN)}${image}`.trimEnd() + '\n';

  let text = row('Name', 'State', 'IPv4', 'Image');
  for (const instance of [...instances].sort(byName)) {
    const [first, ...others] = instance.ipv4;
    text += row(instance.name, stateOf(instance), first ?? '--', imageOf(instance));
    for (const address of others) text += row('', '', address, '');
  }
  return text;
}
