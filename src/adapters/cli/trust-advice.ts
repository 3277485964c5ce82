import type { WhoamiResult } from '../rpc/whoami.js';

const time = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Who can trust a client, in the words the advice uses. */
export const whoCanTrust = (status: WhoamiResult): string =>
  status.adminGroup === undefined ? 'root' : `root or a member of the group '${status.adminGroup}'`;

/** The line an admin runs to trust this client's certificate (its absolute path). */
export const trustAddLine = (certPath: string): string => `sudo multipassd trust add ${certPath}`;

/**
 * What an untrusted user can do, in plain sentences with the command to run (empty when the
 * client is trusted). The cases, most specific first: the first admin on an empty store; a
 * certificate that replaced one this user had trusted; enrolment open (a passphrase or a
 * token); and Multipass's issue #2552, where nobody can enrol until an admin acts.
 */
export function trustAdvice(status: WhoamiResult, certPath: string, identityDir: string): string[] {
  if (status.trusted) return [];
  if (status.bootstrapOpen) {
    return [
      'Nobody is trusted yet, and you may connect to the restricted socket (root or the admin group):',
      "your first command, such as 'multipass list', will trust this client.",
    ];
  }
  const lines: string[] = [];
  const other = status.otherCertificate;
  if (other !== undefined) {
    lines.push(
      `This user (uid ${status.uid ?? '?'}) enrolled another certificate, ${other.fingerprint}, trusted since ` +
        `${time(other.provenance.at)} (via ${other.provenance.via}), but this client now presents ${status.fingerprint ?? 'no certificate'}:`,
      `the client certificate in '${identityDir}' was replaced. Restore the previous multipass_cert.pem and`,
      'multipass_cert_key.pem there (from a backup), or have this one trusted, as follows.',
    );
  }
  const enrol = status.passphraseSet || status.tokensActive;
  if (enrol) {
    lines.push(
      'To enrol this client, run:',
      '  multipass authenticate',
      `with the passphrase${status.tokensActive ? ' (or the one-time enrolment token)' : ''} your administrator gives you.`,
    );
    return lines;
  }
  lines.push(
    'Nobody can enrol: no passphrase is set and no enrolment token is active, so',
    "'multipass authenticate' cannot work (Multipass's issue #2552).",
    status.admin
      ? 'You may administer trust yourself; trust this client with:'
      : `Ask an administrator (${whoCanTrust(status)}) to trust this client with:`,
    `  ${trustAddLine(certPath)}`,
    `or to set a passphrase ('multipass set local.passphrase' from a trusted client) or issue a one-time token ('sudo multipassd trust token').`,
  );
  return lines;
}
