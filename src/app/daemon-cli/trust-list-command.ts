import { Command, Option } from 'clipanion';
import { isEnum } from 'typanion';
import { withStores } from '../store-session.js';
import { DaemonOptionsCommand } from './daemon-options.js';
import { trustRecordJson, trustRecordLine } from './trust-record-view.js';

export class TrustListCommand extends DaemonOptionsCommand {
  static override paths = [['trust', 'list']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'List the trusted client certificates: fingerprint, subject, expiry, how and when each was trusted, label, last seen',
    details: `
      \`via\` says how a certificate got in: bootstrap (the first admin client), passphrase,
      token (a one-time enrolment token), admin (\`trust add\`), import, or file (found in the
      store with no record: appended by hand, or written by Multipass). \`uid\` and \`user\` are
      who enrolled it, where the Unix socket told. Last-seen times are written every few minutes.
    `,
  });

  format = Option.String('--format', 'text', { validator: isEnum(['text', 'json'] as const), description: 'text (default) or json' });

  protected async run(): Promise<number> {
    const { records, fault } = await withStores(this.resolveConfig(), async ({ admin, certs }) => ({
      records: await admin.list(),
      fault: certs.fault(),
    }));
    if (fault !== undefined) {
      // "No trusted certificates" would hide that the store is damaged.
      this.context.stderr.write(`multipassd: ${fault}\n`);
      return 1;
    }
    if (this.format === 'json') {
      this.context.stdout.write(`${JSON.stringify({ certificates: records.map(trustRecordJson) }, null, 2)}\n`);
      return 0;
    }
    if (records.length === 0) {
      this.context.stdout.write('No trusted certificates.\n');
      return 0;
    }
    for (const record of records) this.context.stdout.write(`${trustRecordLine(record)}\n`);
    return 0;
  }
}
