import { Command, Option } from 'clipanion';
import { isEnum } from 'typanion';
import { TrustChannelCommand } from './trust-channel-command.js';
import { trustRecordJson, trustRecordLine } from './trust-record-view.js';

export class TrustListCommand extends TrustChannelCommand {
  static override paths = [['trust', 'list']];

  static override usage = Command.Usage({
    category: 'Trust administration (through the running daemon, else on the store)',
    description: 'List the trusted client certificates: fingerprint, subject, expiry, how and when each was trusted, label, last seen',
    details: `
      \`via\` says how a certificate got in: bootstrap (the first admin client), passphrase,
      token (a one-time enrolment token), admin (\`trust add\`), import, or file (found in the
      store with no record: appended by hand, or written by Multipass). \`uid\` and \`user\` are
      who enrolled it, where the Unix socket told. Through the running daemon, last-seen times
      are as fresh as the daemon knows them; on the store, they are written every few minutes.
    `,
  });

  format = Option.String('--format', 'text', { validator: isEnum(['text', 'json'] as const), description: 'text (default) or json' });

  protected async run(): Promise<number> {
    const { result } = await this.onDaemonOrStore(
      (client) => client.list(),
      async ({ admin, certs }) => {
        const fault = certs.fault();
        return { records: await admin.list(), ...(fault === undefined ? {} : { fault }) };
      },
    );
    if (result.fault !== undefined) {
      // "No trusted certificates" would hide that the store is damaged.
      this.context.stderr.write(`multipassd: ${result.fault}\n`);
      return 1;
    }
    const { records } = result;
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
