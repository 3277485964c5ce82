import { Command, Option } from 'clipanion';
import { withStores } from '../store-session.js';
import { adminActor, auditWarning } from './admin-actor.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';
import { shortTime } from './text-table.js';

export class TrustTokenRevokeCommand extends DaemonOptionsCommand {
  static override paths = [['trust', 'token', 'revoke']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'Revoke an enrolment token, by its id (as `trust token list` shows it), so that nobody can enrol with it',
    details: 'A client that already enrolled with it stays trusted: `trust remove` its certificate.',
  });

  id = Option.String({ name: 'id' });

  protected async run(): Promise<number> {
    const id = this.id.trim().toLowerCase();
    const outcome = await withStores(this.resolveConfig(), ({ tokens }) => tokens.revoke(id, adminActor()));
    if (outcome === undefined) throw new AdminFacingError(`no enrolment token has id '${this.id}' (see multipassd trust token list)`);
    const { view } = outcome;
    if (outcome.revoked) {
      this.context.stdout.write(`Revoked token ${view.id}\n`);
      this.context.stderr.write(auditWarning(outcome.auditProblem));
      return 0;
    }
    if (view.state === 'used') {
      throw new AdminFacingError(
        `token ${view.id} was used at ${shortTime(view.usedAt)} by ${view.usedBy ?? 'a client'} and cannot be used again; ` +
          `to stop trusting that client: multipassd trust remove ${view.usedBy ?? '<fingerprint>'}`,
      );
    }
    this.context.stdout.write(`Token ${view.id} is ${view.state} already: nobody can enrol with it\n`);
    return 0;
  }
}
