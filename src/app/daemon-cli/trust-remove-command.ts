import { Command, Option } from 'clipanion';
import { parseFingerprint } from '../../domain/fingerprint.js';
import { withStores } from '../store-session.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';

export class TrustRemoveCommand extends DaemonOptionsCommand {
  static override paths = [['trust', 'remove']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'Stop trusting a client certificate, by its SHA-256 fingerprint (as `trust list` shows it)',
    details: 'A running daemon stops trusting the certificate within about two seconds.',
  });

  fingerprint = Option.String({ name: 'fingerprint' });

  protected async run(): Promise<number> {
    const fingerprint = parseFingerprint(this.fingerprint);
    if (fingerprint === undefined) {
      throw new AdminFacingError(`'${this.fingerprint}' is not a SHA-256 fingerprint (64 hex digits, colons allowed)`);
    }
    const removed = await withStores(this.resolveConfig(), ({ certs }) => certs.remove(fingerprint));
    if (!removed) throw new AdminFacingError(`no trusted certificate has fingerprint ${fingerprint}`);
    this.context.stdout.write(`Removed ${fingerprint}\n`);
    return 0;
  }
}
