import { Command, Option } from 'clipanion';
import { DoctorReport } from '../../adapters/cli/doctor-report.js';
import { UnsafePathError } from '../../adapters/fs/unsafe-path-error.js';
import { ConfigError, type DaemonConfig } from '../config/daemon-config.js';
import { checkDaemon, checkDirectories, checkIdentity, checkSocketMode, checkStores } from './daemon-checks.js';
import { DaemonOptionsCommand } from './daemon-options.js';

export class DoctorCommand extends DaemonOptionsCommand {
  static override paths = [['doctor']];

  static override usage = Command.Usage({
    category: 'Diagnosis',
    description: 'Diagnose the daemon: configuration, directories, whether it runs, its store, enrolment, certificates, socket',
    details: `
      Checks, in plain sentences with the command that fixes each problem: the configuration and
      the data directory (as strict as the daemon is at start), whether the daemon runs and
      answers, the store (damaged, or empty while the other backend holds certificates:
      \`store:\` switched without \`migrate-store\`), whether users can enrol (a passphrase, or
      tokens), the daemon's root CA and server certificate (expiring within 60 days), and
      whether the socket's mode fits the store. Exit code 0 when all is well, 2 otherwise.
      Writes nothing.
    `,
  });

  address = Option.String('--address', { description: "The daemon's address, when not the configured one: unix:/path or host:port" });
  socketGroup = Option.String('--socket-group', { description: 'The admin group, when not the configured one' });

  protected async run(): Promise<number> {
    const report = new DoctorReport();
    await this.diagnose(report);
    this.context.stdout.write(report.render());
    return report.exitCode();
  }

  private async diagnose(report: DoctorReport): Promise<void> {
    let config: DaemonConfig;
    try {
      config = this.resolveConfig({ address: this.address, socketGroup: this.socketGroup });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      report.problem(`The configuration cannot be used: ${error.message}`);
      return;
    }
    report.ok(
      `Configuration: ${config.configFile ?? 'no config file (defaults)'}; data directory ${config.dataDir};`,
      `store ${config.store}; address ${config.address}.`,
    );
    if (!checkDirectories(report, config)) return;
    const running = await checkDaemon(report, config);
    let trusted: number | undefined;
    try {
      trusted = await checkStores(report, config);
    } catch (error) {
      if (!(error instanceof UnsafePathError) && !(error instanceof Error && 'syscall' in error)) throw error;
      report.problem(`The store cannot be opened: ${error.message}`);
    }
    checkIdentity(report, config);
    if (running && trusted !== undefined) await checkSocketMode(report, config, trusted);
  }
}
