import { Command, Option } from 'clipanion';
import { withStores } from '../store-session.js';
import { adminActor, auditWarning } from './admin-actor.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';
import { fingerprintArgument } from './fingerprint-argument.js';

export class TrustRemoveCommand extends DaemonOptionsCommand {
  static override paths = [['trust', 'remove']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'Stop trusting a client certificate, by its SHA-256 fingerprint (as `trust list` shows it)',
    details: 'A running daemon stops trusting the certificate within about two seconds.',
  });

  fingerprint = Option.String({ name: 'fingerprint' });

  protected async run(): Promise<number> {
    const fingerprint = fingerprintArgument(this.fingerprint);
    const outcome = await withStores(this.resolveConfig(), ({ admin }) => admin.remove(fingerprint, adminActor()));
    if (!outcome.changed) throw new AdminFacingError(`no trusted certificate has fingerprint ${fingerprint}`);
    this.context.stdout.write(`Removed ${fingerprint}\n`);
    this.context.stderr.write(auditWarning(outcome.auditProblem));
    return 0;
  }
}
