import { Command, Option } from 'clipanion';
import { isEnum } from 'typanion';
import type { TokenView } from '../../domain/enrolment-tokens.js';
import { withStores } from '../store-session.js';
import { DaemonOptionsCommand } from './daemon-options.js';
import { renderTable, shortTime } from './text-table.js';

export class TrustTokenListCommand extends DaemonOptionsCommand {
  static override paths = [['trust', 'token', 'list']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'List enrolment tokens: id, label, created, expires, state (active, used, revoked, expired); never the tokens',
    details: 'Used, revoked and expired tokens stay listed for a week.',
  });

  format = Option.String('--format', 'table', { validator: isEnum(['table', 'json'] as const), description: 'table (default) or json' });

  protected async run(): Promise<number> {
    const views = await withStores(this.resolveConfig(), ({ tokens }) => tokens.list());
    if (this.format === 'json') {
      this.context.stdout.write(`${JSON.stringify({ tokens: views.map(tokenJson) }, null, 2)}\n`);
      return 0;
    }
    if (views.length === 0) {
      this.context.stdout.write('No enrolment tokens.\n');
      return 0;
    }
    const rows = views.map((view) => [view.id, view.state, shortTime(view.createdAt), shortTime(view.expiresAt), ended(view), view.label ?? '-']);
    this.context.stdout.write(renderTable(['ID', 'STATE', 'CREATED', 'EXPIRES', 'USED/REVOKED', 'LABEL'], rows));
    return 0;
  }
}

function ended(view: TokenView): string {
  if (view.usedAt !== undefined) return `${shortTime(view.usedAt)} by ${view.usedBy?.slice(0, 16) ?? '?'}`;
  if (view.revokedAt !== undefined) return shortTime(view.revokedAt);
  return '-';
}

function tokenJson(view: TokenView): Record<string, unknown> {
  return {
    id: view.id,
    state: view.state,
    label: view.label ?? null,
    created: view.createdAt.toISOString(),
    expires: view.expiresAt.toISOString(),
    used_at: view.usedAt?.toISOString() ?? null,
    used_by: view.usedBy ?? null,
    revoked_at: view.revokedAt?.toISOString() ?? null,
  };
}
