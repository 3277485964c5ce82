import { Command, Option } from 'clipanion';
import { adminActor, auditWarning } from './admin-actor.js';
import { AdminFacingError } from './daemon-options.js';
import { fingerprintArgument } from './fingerprint-argument.js';
import { TrustChannelCommand } from './trust-channel-command.js';

export class TrustRemoveCommand extends TrustChannelCommand {
  static override paths = [['trust', 'remove']];

  static override usage = Command.Usage({
    category: 'Trust administration (through the running daemon, else on the store)',
    description: 'Stop trusting a client certificate, by its SHA-256 fingerprint (as `trust list` shows it)',
    details: `
      Through the running daemon, the certificate stops being trusted at once and its open
      connections are ended: the client's next call fails. With --offline (or when the daemon
      is reached over TCP), a running daemon notices within about two seconds.
    `,
  });

  fingerprint = Option.String({ name: 'fingerprint' });

  protected async run(): Promise<number> {
    const fingerprint = fingerprintArgument(this.fingerprint);
    const { result: outcome } = await this.onDaemonOrStore(
      (client) => client.remove(fingerprint),
      ({ admin }) => admin.remove(fingerprint, adminActor()),
    );
    if (!outcome.changed) throw new AdminFacingError(`no trusted certificate has fingerprint ${fingerprint}`);
    this.context.stdout.write(`Removed ${fingerprint}\n`);
    this.context.stderr.write(auditWarning(outcome.auditProblem));
    return 0;
  }
}
