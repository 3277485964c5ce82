import { Command, Option } from 'clipanion';
import { isEnum } from 'typanion';
import type { AuditEvent, AuditPeer } from '../../domain/audit-event.js';
import { parseDuration } from '../../domain/duration.js';
import { auditTrailOf } from '../store-session.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';
import { renderTable, shortTime } from './text-table.js';

export class AuditCommand extends DaemonOptionsCommand {
  static override paths = [['audit']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'Show the audit log: every trust change, refused enrolment and enrolment token, oldest first',
    details: `
      Reads \`<data-dir>/audit.log\` and its rotated files (\`audit.log.1\` ... \`.5\`, 10 MB each).
      \`--since\` takes a duration back from now (30m, 2h, 7d) or a time (2026-01-01T00:00Z).
      Refusals a client repeats within a minute are one line with a repeat count.
    `,
    examples: [
      ['The last hour', '$0 audit --since 1h'],
      ['Everything, for a script', '$0 audit --format json'],
    ],
  });

  since = Option.String('--since', { description: 'Only events from then on: a duration back from now (1h) or an ISO 8601 time' });
  format = Option.String('--format', 'table', { validator: isEnum(['table', 'json'] as const), description: 'table (default) or json' });

  protected async run(): Promise<number> {
    const since = this.since === undefined ? undefined : sinceTime(this.since, new Date());
    const audit = await auditTrailOf(this.resolveConfig());
    const { events, skipped } = await audit.read(since === undefined ? {} : { since });
    if (skipped > 0) this.context.stderr.write(`multipassd: skipped ${skipped} line(s) of ${audit.location()} that are not audit events\n`);
    if (this.format === 'json') {
      this.context.stdout.write(`${JSON.stringify({ events: events.map(eventJson) }, null, 2)}\n`);
      return 0;
    }
    if (events.length === 0) {
      this.context.stdout.write('No audit events.\n');
      return 0;
    }
    const rows = events.map((event) => [
      shortTime(event.time),
      event.event,
      event.outcome,
      event.fingerprint?.slice(0, 16) ?? '-',
      peerText(event.peer),
      details(event),
    ]);
    this.context.stdout.write(renderTable(['TIME', 'EVENT', 'OUTCOME', 'FINGERPRINT', 'PEER', 'DETAILS'], rows));
    return 0;
  }
}

function sinceTime(text: string, now: Date): Date {
  const duration = parseDuration(text);
  if (duration !== undefined) return new Date(now.getTime() - duration);
  const time = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? new Date(text.trim()) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new AdminFacingError(`--since: '${text}' is neither a duration (30m, 2h, 7d) nor a time (2026-01-01T00:00Z)`);
  }
  return time;
}

function peerText(peer: AuditPeer | undefined): string {
  if (peer === undefined) return '-';
  if (peer.address !== undefined) return peer.address;
  const who = peer.user ?? (peer.uid === undefined ? '?' : `uid ${peer.uid}`);
  const uid = peer.user !== undefined && peer.uid !== undefined ? ` (${peer.uid})` : '';
  return `${who}${uid}${peer.sudoUser === undefined ? '' : ` via sudo by ${peer.sudoUser}`}`;
}

function details(event: AuditEvent): string {
  const parts = [
    ...(event.via === undefined ? [] : [`via=${event.via}`]),
    ...(event.reason === undefined ? [] : [`reason=${event.reason}`]),
    ...(event.tokenId === undefined ? [] : [`token=${event.tokenId}`]),
    ...(event.label === undefined ? [] : [`label=${JSON.stringify(event.label)}`]),
    ...(event.expires === undefined ? [] : [`expires=${shortTime(event.expires)}`]),
    ...(event.repeats === undefined ? [] : [`repeated=${event.repeats}`]),
  ];
  return parts.length === 0 ? '-' : parts.join(' ');
}

function eventJson(event: AuditEvent): Record<string, unknown> {
  const { peer } = event;
  return {
    time: event.time.toISOString(),
    event: event.event,
    outcome: event.outcome,
    fingerprint: event.fingerprint ?? null,
    peer:
      peer === undefined
        ? null
        : { uid: peer.uid ?? null, user: peer.user ?? null, pid: peer.pid ?? null, address: peer.address ?? null, sudo_user: peer.sudoUser ?? null },
    reason: event.reason ?? null,
    via: event.via ?? null,
    label: event.label ?? null,
    token_id: event.tokenId ?? null,
    expires: event.expires?.toISOString() ?? null,
    repeats: event.repeats ?? null,
  };
}
