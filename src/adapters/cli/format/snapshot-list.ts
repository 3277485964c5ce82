import type { SnapshotRow } from '../../rpc/multipass-client.js';
import { columnWidth, compare } from './columns.js';
import type { OutputFormat } from './output-format.js';
import { toQtJson, type JsonValue } from './qt-json.js';
import { emitYaml, type YamlNode } from './yaml-cpp-emitter.js';

const MAX_COMMENT_COLUMN = 50;

/** `multipass list --snapshots` in the requested format, as Multipass prints it. */
export function formatSnapshots(snapshots: readonly SnapshotRow[], format: OutputFormat): string {
  const sorted = [...snapshots].sort(byInstanceThenAge);
  switch (format) {
    case 'table':
      return table(sorted);
    case 'csv':
      return sorted.reduce(
        (text, s) => `${text}${s.instance},${s.name},${s.parent},"${s.comment}"\n`,
        'Instance,Snapshot,Parent,Comment\n',
      );
    case 'json': {
      // In the daemon's order, grouped by instance.
      const info: Record<string, Record<string, JsonValue>> = {};
      for (const s of snapshots) (info[s.instance] ??= {})[s.name] = { parent: s.parent, comment: s.comment };
      return toQtJson({ errors: [], info });
    }
    case 'yaml': {
      const info: Record<string, YamlNode[]> = {};
      for (const s of sorted) {
        const details = { parent: s.parent === '' ? null : s.parent, comment: s.comment === '' ? null : s.comment };
        (info[s.instance] ??= []).push({ [s.name]: [details] });
      }
      return emitYaml(info);
    }
  }
}

function table(snapshots: readonly SnapshotRow[]): string {
  if (snapshots.length === 0) return 'No snapshots found.\n';
  const instanceColumn = columnWidth(['Instance', ...snapshots.map((s) => s.instance)]);
  const snapshotColumn = columnWidth(['Snapshot', ...snapshots.map((s) => s.name)]);
  const parentColumn = columnWidth(['Parent', ...snapshots.map((s) => s.parent)]);
  const row = (instance: string, snapshot: string, parent: string, comment: string) =>
    `${instance.padEnd(instanceColumn)}${snapshot.padEnd(snapshotColumn)}${parent.padEnd(parentColumn)}${comment}\n`;
  return snapshots.reduce(
    (text, s) => text + row(s.instance, s.name, s.parent === '' ? '--' : s.parent, shortComment(s.comment)),
    row('Instance', 'Snapshot', 'Parent', 'Comment'),
  );
}

/** The first line of the comment, at most 50 characters, with an ellipsis when cut. */
function shortComment(comment: string): string {
  if (comment === '') return '--';
  const newline = comment.search(/\r?\n/);
  const width = newline === -1 ? MAX_COMMENT_COLUMN : Math.min(newline + 1, MAX_COMMENT_COLUMN);
  return comment.length > width ? `${comment.slice(0, width - 1)}…` : comment;
}

const byInstanceThenAge = (a: SnapshotRow, b: SnapshotRow): number =>
  compare(a.instance, b.instance) || a.createdSeconds - b.createdSeconds;
