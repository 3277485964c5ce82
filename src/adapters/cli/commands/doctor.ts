import { Option, UsageError } from 'clipanion';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLIENT_CERT_FILE } from '../../crypto/client-identity-files.js';
import { RpcFailure } from '../../rpc/multipass-client.js';
import type { WhoamiResult } from '../../rpc/whoami.js';
import { ClientSetupFailure, socketPathOf, type ClientTarget } from '../client-options.js';
import { DoctorReport, shortTime } from '../doctor-report.js';
import type { CommandUsage } from '../help.js';
import { MultipassCommand } from '../multipass-command.js';
import { inspectSocket, processUser, userName } from '../socket-inspection.js';
import { trustAddLine, trustAdvice } from '../trust-advice.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const START_DAEMON = 'Start it (sudo systemctl start multipassd, or run multipassd); if it listens elsewhere, set MULTIPASS_SERVER_ADDRESS.';

/**
 * `multipass doctor`: why this client cannot use the daemon, in plain sentences with the
 * command that fixes it. Checks in order and stops at the first that blocks the next: the
 * address, this client's certificate, the socket's permissions, the daemon's root CA, the
 * daemon itself, and whether it trusts this client. Writes nothing but the client
 * certificate, made on first use as every command makes it. Exit code 0 when all is well, 2
 * when a problem was found.
 */
export class DoctorCommand extends MultipassCommand {
  static override paths = [['doctor']];

  static override usage: CommandUsage = {
    description: 'Diagnose problems reaching the service',
    details:
      'Check that this client can reach the Multipass service and is\n' +
      'trusted by it, and say what to do about each problem found.',
  };

  args = Option.Rest();

  async execute(): Promise<number> {
    if (this.args.length > 0) throw new UsageError('This command takes no arguments');
    const report = new DoctorReport();
    await this.diagnose(report);
    this.context.stdout.write(report.render());
    return report.exitCode();
  }

  private async diagnose(report: DoctorReport): Promise<void> {
    const target = this.context.diagnosis.target();
    const fromEnv = (this.context.env.MULTIPASS_SERVER_ADDRESS ?? '') !== '';
    report.ok(
      `The daemon's address is ${target.address}`,
      fromEnv ? '(from MULTIPASS_SERVER_ADDRESS).' : '(the default; MULTIPASS_SERVER_ADDRESS is not set).',
    );
    const identityDir = resolve(target.identityDir);
    const certPath = join(identityDir, CLIENT_CERT_FILE);
    if (!(await this.checkIdentity(report, certPath))) return;
    if (target.address.startsWith('unix:') && !(await this.checkSocket(report, target, certPath))) return;
    if (!this.checkRootCert(report, target)) return;
    const status = await this.whoami(report, target);
    if (status === undefined) return;
    if (!status.trusted) {
      report.problem(
        `multipassd answers, and does not trust this client (fingerprint ${status.fingerprint ?? '-'}).`,
        ...trustAdvice(status, certPath, identityDir),
      );
      return;
    }
    const version = await this.withClient((client) => client.version(0)).then(
      (answer) => ` (version ${answer.version})`,
      () => '',
    );
    const { provenance } = status;
    report.ok(
      `multipassd answers${version} and trusts this client`,
      provenance === undefined ? '' : `since ${shortTime(provenance.at)} (via ${provenance.via}).`,
    );
    if (status.otherCertificate !== undefined) {
      report.note(`This user also has another trusted certificate, ${status.otherCertificate.fingerprint}.`);
    }
  }

  private async checkIdentity(report: DoctorReport, certPath: string): Promise<boolean> {
    try {
      await this.context.diagnosis.identity();
      const cert = new X509Certificate(readFileSync(certPath));
      const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
      const notAfter = new Date(cert.validTo);
      report.ok(`This client's certificate is ${certPath}`, `(fingerprint ${fingerprint}, valid until ${shortTime(notAfter)}).`);
      if (notAfter.getTime() < Date.now()) {
        report.note(
          `It expired on ${shortTime(notAfter)}; multipassd still trusts it (a pin, as in Multipass).`,
          "To renew it, delete it and its key, run 'multipass authenticate' again (or have an admin trust the new one).",
        );
      }
      return true;
    } catch (error) {
      report.problem(`Cannot set up this client's certificate in '${certPath}': ${(error as Error).message}.`);
      return false;
    }
  }

  private async checkSocket(report: DoctorReport, target: ClientTarget, certPath: string): Promise<boolean> {
    const path = socketPathOf(target.address);
    const user = processUser();
    const socket = await inspectSocket(path, user);
    if (socket.kind === 'missing') {
      report.problem(`There is no socket at '${path}': multipassd is not running there.`, START_DAEMON);
      return false;
    }
    if (socket.kind !== 'socket') {
      const why = socket.kind === 'unreadable' ? `cannot be looked at (${socket.reason})` : 'is not a socket';
      report.problem(`'${path}' ${why}.`, 'Check MULTIPASS_SERVER_ADDRESS, and the permissions of the directories above it.');
      return false;
    }
    const me = await userName(user.uid);
    if (socket.canConnect) {
      report.ok(`The socket '${path}' (${socket.description}) lets this user, ${me}, connect.`);
      return true;
    }
    report.problem(
      `This user, ${me}, may not connect to the socket '${path}' (${socket.description}).`,
      ...((socket.mode & 0o777) === 0o660
        ? [
            `multipassd keeps it so while nobody is trusted: only root and the group '${socket.groupName}' may connect,`,
            'and the first of them to run a command is trusted; then it opens the socket to all users.',
          ]
        : []),
      `Ask an administrator (root or a member of the group '${socket.groupName}') to trust this client with:`,
      `  ${trustAddLine(certPath)}`,
    );
    return false;
  }

  private checkRootCert(report: DoctorReport, target: ClientTarget): boolean {
    const fromEnv = (this.context.env.MULTIPASS_ROOT_CERT ?? '') !== '';
    let notAfter: Date;
    try {
      notAfter = new Date(new X509Certificate(readFileSync(target.rootCertPath)).validTo);
    } catch (error) {
      report.problem(
        `Cannot read the daemon's root certificate '${target.rootCertPath}' (${(error as Error).message}).`,
        'multipassd makes it at its first start; if it keeps it elsewhere, set MULTIPASS_ROOT_CERT to it.',
      );
      return false;
    }
    report.ok(`The daemon's root certificate ${target.rootCertPath}${fromEnv ? ' (from MULTIPASS_ROOT_CERT)' : ''} is readable.`);
    if (notAfter.getTime() - Date.now() < 60 * DAY_MS) {
      report.note(`It expires on ${shortTime(notAfter)}: ask an administrator to run 'sudo multipassd doctor'.`);
    }
    return true;
  }

  private async whoami(report: DoctorReport, target: ClientTarget): Promise<WhoamiResult | undefined> {
    let client;
    try {
      client = await this.context.diagnosis.connectWhoami(this.trace);
      return await client.whoami();
    } catch (error) {
      if (error instanceof RpcFailure) report.problem(...unreachable(error, target));
      else if (error instanceof ClientSetupFailure) report.problem(`Cannot use '${error.path}': ${String((error.cause as Error)?.message ?? error)}.`);
      else throw error;
      return undefined;
    } finally {
      client?.close();
    }
  }
}

function unreachable(failure: RpcFailure, target: ClientTarget): string[] {
  const where = target.address.startsWith('unix:') ? `on '${socketPathOf(target.address)}'` : `at ${target.address}`;
  switch (failure.connection) {
    case 'cannot-connect':
      return [`Nothing answers ${where}: multipassd is not running (a socket file may be left from one that stopped).`, START_DAEMON];
    case 'access-denied':
      return [`Permission to connect ${where} was denied (${failure.details}).`, 'Check the permissions of the socket and of the directories above it.'];
    case 'untrusted-daemon':
      return [
        `The daemon ${where} does not present a certificate of the root CA '${target.rootCertPath}':`,
        'MULTIPASS_ROOT_CERT (or the default) names another daemon\'s root certificate.',
      ];
    default:
      return failure.status === 'UNIMPLEMENTED'
        ? [`The daemon ${where} does not answer whoami (Multipass itself, or an older multipassd): cannot tell whether it trusts this client.`]
        : [`The daemon ${where} failed: ${failure.details}`];
  }
}
