import { Command, Option } from 'clipanion';
import { adminActor, auditWarning } from './admin-actor.js';
import { AdminFacingError } from './daemon-options.js';
import { fingerprintArgument } from './fingerprint-argument.js';
import { TrustChannelCommand } from './trust-channel-command.js';

export class TrustLabelCommand extends TrustChannelCommand {
  static override paths = [['trust', 'label']];

  static override usage = Command.Usage({
    category: 'Trust administration (through the running daemon, else on the store)',
    description: 'Set the label of a trusted certificate (whose it is), or clear it when no label is given',
    examples: [
      ['Label a certificate', "$0 trust label 3f9a...c2e1 \"alice's laptop\""],
      ['Clear the label', '$0 trust label 3f9a...c2e1'],
    ],
  });

  fingerprint = Option.String({ name: 'fingerprint' });
  label = Option.String({ name: 'label', required: false });

  protected async run(): Promise<number> {
    const fingerprint = fingerprintArgument(this.fingerprint);
    const { result: outcome } = await this.onDaemonOrStore(
      (client) => client.label(fingerprint, this.label),
      ({ admin }) => admin.label(fingerprint, this.label, adminActor()),
    );
    if (!outcome.changed) throw new AdminFacingError(`no trusted certificate has fingerprint ${fingerprint}`);
    const label = this.label?.trim() ?? '';
    this.context.stdout.write(label === '' ? `Cleared the label of ${fingerprint}\n` : `Labelled ${fingerprint}\n`);
    this.context.stderr.write(auditWarning(outcome.auditProblem));
    return 0;
  }
}
