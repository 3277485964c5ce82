import { Command, Option } from 'clipanion';
import { isEnum } from 'typanion';
import { instanceLockHolder } from '../../adapters/fs/instance-lock.js';
import { daemonLockPath } from '../instance-locks.js';
import { defaultConfigPath } from '../paths.js';
import { STORES } from '../config/daemon-config.js';
import { MigrationError, migrateStore } from '../store-migration.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';

export class MigrateStoreCommand extends DaemonOptionsCommand {
  static override paths = [['migrate-store']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'Copy trusted certificates and settings from one store backend into another',
    details: `
      Reads the store named by --from (the PEM and INI files, the SQLite database, or the
      PostgreSQL database of \`postgres_url\`) and copies everything into the one named by --to,
      then reads the copy back and compares. The source is never changed. Without --from: the
      configured store, or between pem and sqlite the other one. Safe to run again; stop the
      daemon first so that nothing is trusted meanwhile, then switch with one line in the config
      file: \`store: sqlite\` (or \`pem\`, \`postgres\`). Enrolment tokens are not copied.
    `,
    examples: [
      ['Move to SQLite', '$0 migrate-store --to sqlite'],
      ["Share this host's trust with a fleet (postgres_url set in the config)", '$0 migrate-store --from pem --to postgres'],
    ],
  });

  to = Option.String('--to', { required: true, validator: isEnum(STORES) });
  from = Option.String('--from', { validator: isEnum(STORES), description: 'The store to copy from (default: see above)' });

  protected async run(): Promise<number> {
    const config = this.resolveConfig();
    const daemon = await instanceLockHolder(daemonLockPath(config.dataDir));
    if (daemon !== undefined) {
      // A warning, not a refusal: the copy is still safe to run again once the daemon is stopped.
      this.context.stderr.write(
        `multipassd: warning: multipassd (${daemon.pid === undefined ? 'a process' : `pid ${daemon.pid}`}) is running with the data directory ` +
          `'${config.dataDir}': a client trusted or removed during the copy may be missed. Stop it first ` +
          '(sudo systemctl stop multipassd, or Ctrl-C), then run migrate-store again before switching the store.\n',
      );
    }
    let report;
    try {
      report = await migrateStore(config, this.to, this.from);
    } catch (error) {
      if (error instanceof MigrationError) throw new AdminFacingError(error.message);
      throw error;
    }
    const configFile = config.configFile ?? defaultConfigPath(config.dataDir);
    this.context.stdout.write(
      `Copied ${report.certificates} certificate(s) (${report.newCertificates} new) and ${report.settings} setting(s) ` +
        `from ${report.from} to ${report.to}; the copy is verified.\n` +
        (config.store === report.to
          ? `The configuration already selects the ${report.to} store.\n`
          : `To switch, set \`store: ${report.to}\` in ${configFile} and restart multipassd.\n`),
    );
    return 0;
  }
}
