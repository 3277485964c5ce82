import { Command, Option } from 'clipanion';
import { isEnum } from 'typanion';
import { defaultConfigPath } from '../paths.js';
import { MigrationError, migrateStore } from '../store-migration.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';

export class MigrateStoreCommand extends DaemonOptionsCommand {
  static override paths = [['migrate-store']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: 'Copy trusted certificates and settings from the other store backend into this one',
    details: `
      Reads the other backend (the PEM and INI files, or the SQLite database) and copies
      everything into the one named by --to, then reads the copy back and compares. The source
      is never changed. Safe to run again; stop the daemon first so that nothing is trusted
      meanwhile, then switch with one line in the config file: \`store: sqlite\` (or \`pem\`).
    `,
    examples: [['Move to SQLite', '$0 migrate-store --to sqlite']],
  });

  to = Option.String('--to', { required: true, validator: isEnum(['sqlite', 'pem'] as const) });

  protected async run(): Promise<number> {
    const config = this.resolveConfig();
    let report;
    try {
      report = await migrateStore(config, this.to);
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
