import { Command, Option } from 'clipanion';
import { readFile } from 'node:fs/promises';
import { clientCertificateFromPem } from '../../adapters/crypto/presented-certificate.js';
import { AuthError } from '../../domain/auth-error.js';
import { adminActor, auditWarning } from './admin-actor.js';
import { AdminFacingError } from './daemon-options.js';
import { TrustChannelCommand } from './trust-channel-command.js';

export class TrustAddCommand extends TrustChannelCommand {
  static override paths = [['trust', 'add']];

  static override usage = Command.Usage({
    category: 'Trust administration (through the running daemon, else on the store)',
    description: 'Trust a client certificate (PEM file), e.g. the installing user on a TCP-only daemon',
    details: `
      The certificate is recorded as trusted by an admin (you), now; \`--label\` notes whose it
      is. Adding a certificate trusted already changes nothing but its label, when one is given.
      Through the running daemon, the client is trusted from its next call on.
    `,
    examples: [
      ['Trust a user', '$0 trust add ~alice/.local/share/multipass-client-certificate/multipass_cert.pem'],
      ['With a label', "$0 trust add --label \"alice's laptop\" alice.pem"],
    ],
  });

  label = Option.String('--label', { description: 'A note on whose certificate this is (shown by trust list)' });
  file = Option.String({ name: 'cert.pem' });

  protected async run(): Promise<number> {
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
    const { fingerprint, pem } = certificate;
    const { result: outcome } = await this.onDaemonOrStore(
      (client) => client.add(pem, this.label),
      ({ admin }) => admin.add({ fingerprint, pem }, { actor: adminActor(), ...(this.label === undefined ? {} : { label: this.label }) }),
    );
    const relabelled = !outcome.added && outcome.changed ? '; label set' : '';
    this.context.stdout.write(`${outcome.added ? 'Trusted' : 'Already trusted'} ${fingerprint}${relabelled}\n`);
    this.context.stderr.write(auditWarning(outcome.auditProblem));
    return 0;
  }
}
