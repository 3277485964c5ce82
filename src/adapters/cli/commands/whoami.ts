import { Option, UsageError } from 'clipanion';
import { join, resolve } from 'node:path';
import type { ClientTrace } from '../../rpc/client-trace.js';
import type { WhoamiResult } from '../../rpc/whoami.js';
import { CLIENT_CERT_FILE } from '../../crypto/client-identity-files.js';
import type { MultipassContext } from '../context.js';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';
import { trustAdvice } from '../trust-advice.js';

const WHOAMI_FORMATS = ['table', 'json'] as const;

/**
 * `multipass whoami` (also `multipass authenticate --status`): whether the daemon trusts this
 * client, its fingerprint, since when and how; and when it does not, why and what to do.
 * Answered for untrusted clients too: that is who needs it.
 */
export class WhoamiCommand extends MultipassCommand {
  static override paths = [['whoami']];

  static override usage: CommandUsage = {
    description: 'Show whether this client is trusted',
    details:
      'Show whether the Multipass service trusts this client, the\n' +
      "fingerprint of this client's certificate, and since when it is trusted.\n" +
      'When it is not trusted, say why and what to do.',
    options: [
      {
        names: '--format <format>',
        description: 'Output the status in the requested format.\nValid formats are: table (default) and json',
      },
    ],
  };

  format = Option.String('--format', 'table');
  args = Option.Rest();

  async execute(): Promise<number> {
    if (this.args.length > 0) throw new UsageError('This command takes no arguments');
    const format = WHOAMI_FORMATS.find((known) => known === this.format);
    if (format === undefined) throw new UsageError('Invalid format type given.');
    return showClientStatus(this.context, format, this.trace);
  }
}

/** Asks the daemon about this client and prints the answer; shared with `authenticate --status`. */
export async function showClientStatus(context: MultipassContext, format: 'table' | 'json', trace?: ClientTrace): Promise<number> {
  const client = await context.diagnosis.connectWhoami(trace);
  let status: WhoamiResult;
  try {
    status = await client.whoami();
  } finally {
    client.close();
  }
  const identityDir = resolve(context.diagnosis.target().identityDir);
  const certPath = join(identityDir, CLIENT_CERT_FILE);
  context.stdout.write(format === 'json' ? whoamiJson(status, certPath) : whoamiTable(status, certPath, identityDir));
  return 0;
}

const time = (date: Date | undefined): string => date?.toISOString().replace(/\.\d{3}Z$/, 'Z') ?? '-';

function whoamiTable(status: WhoamiResult, certPath: string, identityDir: string): string {
  const rows: Array<[string, string]> = [
    ['Trusted', status.trusted ? 'yes' : 'no'],
    ['Fingerprint', status.fingerprint ?? '-'],
    ['Certificate', certPath],
  ];
  const provenance = status.provenance;
  if (provenance !== undefined) {
    rows.push(['Trusted since', `${time(provenance.at)} (via ${provenance.via})`]);
    if (provenance.label !== undefined) rows.push(['Label', provenance.label]);
  } else {
    rows.push(['Passphrase set', status.passphraseSet ? 'yes' : 'no']);
  }
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const table = rows.map(([name, value]) => `${`${name}:`.padEnd(width)}${value}\n`).join('');
  const advice = trustAdvice(status, certPath, identityDir);
  return advice.length === 0 ? table : `${table}\n${advice.join('\n')}\n`;
}

function whoamiJson(status: WhoamiResult, certPath: string): string {
  const other = status.otherCertificate;
  const json = {
    trusted: status.trusted,
    fingerprint: status.fingerprint ?? null,
    certificate_file: certPath,
    via: status.provenance?.via ?? null,
    since: status.provenance?.at.toISOString() ?? null,
    label: status.provenance?.label ?? null,
    passphrase_set: status.passphraseSet,
    enrolment_tokens_active: status.tokensActive,
    enrolment_possible: status.passphraseSet || status.tokensActive,
    admin_group: status.adminGroup ?? null,
    other_certificate: other === undefined ? null : { fingerprint: other.fingerprint, via: other.provenance.via, since: other.provenance.at.toISOString() },
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
