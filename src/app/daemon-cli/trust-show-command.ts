import { Command, Option } from 'clipanion';
import { isEnum } from 'typanion';
import { AdminFacingError } from './daemon-options.js';
import { fingerprintArgument } from './fingerprint-argument.js';
import { TrustChannelCommand } from './trust-channel-command.js';
import { trustRecordDetails, trustRecordJson } from './trust-record-view.js';

export class TrustShowCommand extends TrustChannelCommand {
  static override paths = [['trust', 'show']];

  static override usage = Command.Usage({
    category: 'Trust administration (through the running daemon, else on the store)',
    description: 'Show one trusted certificate: subject, expiry, owner, label, how and when it was trusted, last seen',
    examples: [['Show a certificate', '$0 trust show 3f9a...c2e1']],
  });

  fingerprint = Option.String({ name: 'fingerprint' });
  format = Option.String('--format', 'text', { validator: isEnum(['text', 'json'] as const), description: 'text (default) or json' });

  protected async run(): Promise<number> {
    const fingerprint = fingerprintArgument(this.fingerprint);
    const { result: record } = await this.onDaemonOrStore(
      (client) => client.show(fingerprint),
      ({ admin }) => admin.show(fingerprint),
    );
    if (record === undefined) throw new AdminFacingError(`no trusted certificate has fingerprint ${fingerprint}`);
    this.context.stdout.write(this.format === 'json' ? `${JSON.stringify(trustRecordJson(record), null, 2)}\n` : trustRecordDetails(record));
    return 0;
  }
}
