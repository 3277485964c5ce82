import { Command, Option } from 'clipanion';
import { readFile } from 'node:fs/promises';
import { clientCertificateFromPem } from '../../adapters/crypto/presented-certificate.js';
import { AuthError } from '../../domain/auth-error.js';
import { withStores } from '../store-session.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';

export class TrustAddCommand extends DaemonOptionsCommand {
  static override paths = [['trust', 'add']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'Trust a client certificate (PEM file), e.g. the installing user on a TCP-only daemon',
    examples: [['Trust a user', '$0 trust add ~alice/.local/share/multipass-client-certificate/multipass_cert.pem']],
  });

  file = Option.String({ name: 'cert.pem' });

  protected async run(): Promise<number> {
    const config = this.resolveConfig();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      throw new AdminFacingError(`cannot read '${this.file}': ${(error as Error).message}`);
    }
    let certificate;
    try {
      certificate = clientCertificateFromPem(text);
    } catch (error) {
      if (AuthError.is(error)) throw new AdminFacingError(`'${this.file}': ${error.message}`);
      throw error;
    }
    const added = await withStores(config, ({ certs }) => certs.add(certificate));
    this.context.stdout.write(`${added ? 'Trusted' : 'Already trusted'} ${certificate.fingerprint}\n`);
    return 0;
  }
}
