import { Command, Option } from 'clipanion';
import { formatDuration, parseDuration } from '../../domain/duration.js';
import { DEFAULT_TOKEN_TTL_MS, MAX_TOKEN_TTL_MS, TokenTtlError } from '../../domain/enrolment-tokens.js';
import { withStores } from '../store-session.js';
import { adminActor, auditWarning } from './admin-actor.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';
import { shortTime } from './text-table.js';

export class TrustTokenCommand extends DaemonOptionsCommand {
  static override paths = [['trust', 'token']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'Print a one-time enrolment token: a user enrols with it as with the passphrase, once, before it expires',
    details: `
      Give the token to the user, who runs \`multipass authenticate\` and enters it at the
      passphrase prompt (or gives it as the argument). It works once, also when no passphrase
      is set, and only until it expires (default ${formatDuration(DEFAULT_TOKEN_TTL_MS)}, at most
      ${formatDuration(MAX_TOKEN_TTL_MS)}). It is shown only now: multipassd keeps only its hash. The
      client it enrols gets its label. See \`trust token list\` and \`trust token revoke\`.
    `,
    examples: [
      ['A token for the next 15 minutes', '$0 trust token'],
      ['For a day, labelled', "$0 trust token --ttl 1d --label \"alice's laptop\""],
    ],
  });

  ttl = Option.String('--ttl', { description: `How long it may be used: 30s, 15m, 2h, 7d (default ${formatDuration(DEFAULT_TOKEN_TTL_MS)})` });
  label = Option.String('--label', { description: 'A note on whom it is for; the enrolled client gets it as its label' });

  protected async run(): Promise<number> {
    const ttlMs = this.ttl === undefined ? undefined : parseDuration(this.ttl);
    if (this.ttl !== undefined && ttlMs === undefined) {
      throw new AdminFacingError(`'${this.ttl}' is not a duration: give a number with s, m, h or d, such as 30s, 15m, 2h or 7d`);
    }
    let issued;
    try {
      issued = await withStores(this.resolveConfig(), ({ tokens }) =>
        tokens.issue({ ...(ttlMs === undefined ? {} : { ttlMs }), ...(this.label === undefined ? {} : { label: this.label }) }, adminActor()),
      );
    } catch (error) {
      if (error instanceof TokenTtlError) throw new AdminFacingError(`--ttl: ${error.message}`);
      throw error;
    }
    const { view } = issued;
    this.context.stdout.write(
      [
        'Enrolment token (single use; shown only now):',
        '',
        `  ${issued.text}`,
        '',
        `ID:      ${view.id}`,
        ...(view.label === undefined ? [] : [`Label:   ${view.label}`]),
        `Expires: ${shortTime(view.expiresAt)} (in ${formatDuration(view.expiresAt.getTime() - view.createdAt.getTime())})`,
        '',
        'The user runs `multipass authenticate` and enters the token at the passphrase prompt (or gives it as',
        `the argument). To revoke it: multipassd trust token revoke ${view.id}`,
        '',
      ].join('\n'),
    );
    this.context.stderr.write(auditWarning(issued.auditProblem));
    return 0;
  }
}
