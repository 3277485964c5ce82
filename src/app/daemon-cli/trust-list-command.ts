import { Command } from 'clipanion';
import { X509Certificate } from 'node:crypto';
import { withStores } from '../store-session.js';
import { DaemonOptionsCommand } from './daemon-options.js';

export class TrustListCommand extends DaemonOptionsCommand {
  static override paths = [['trust', 'list']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'List the trusted client certificates: fingerprint, subject, expiry',
  });

  protected async run(): Promise<number> {
    const { certificates, fault } = await withStores(this.resolveConfig(), async ({ certs }) => ({
      certificates: await certs.list(),
      fault: certs.fault(),
    }));
    if (fault !== undefined) {
      // "No trusted certificates" would hide that the store is damaged.
      this.context.stderr.write(`multipassd: ${fault}\n`);
      return 1;
    }
    if (certificates.length === 0) {
      this.context.stdout.write('No trusted certificates.\n');
      return 0;
    }
    for (const certificate of certificates) {
      this.context.stdout.write(`${certificate.fingerprint}  ${describe(certificate.pem)}\n`);
    }
    return 0;
  }
}

/** Parsed only here, for display: the stores never parse what they keep. */
function describe(pem: string): string {
  try {
    const parsed = new X509Certificate(pem);
    return `${parsed.subject.replace(/\n/g, ', ')}  (valid until ${new Date(parsed.validTo).toISOString()})`;
  } catch {
    return '(unparseable certificate)';
  }
}
