import { Command, Option } from 'clipanion';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PinoLogger } from '../../adapters/logging/pino-logger.js';
import type { MultipassLocations } from '../../adapters/multipass/multipass-locations.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import { importMultipass, MultipassImportError, type ImportReport } from '../multipass-import.js';
import { multipassDefaults, multipassLocationsFor } from '../paths.js';
import { AdminFacingError, DaemonOptionsCommand } from './daemon-options.js';

export class ImportMultipassCommand extends DaemonOptionsCommand {
  static override paths = [['import-multipass']];

  static override usage = Command.Usage({
    category: 'Trust administration (offline; works while the daemon runs)',
    description: "Adopt a Multipass install: its trusted clients, passphrase and daemon identity",
    details: `
      Reads Multipass's data directory (default: the snap's, /var/snap/multipass/common/data/multipassd,
      if it exists, else /var/lib/multipassd), its settings file (the snap's
      /var/snap/multipass/current/config/multipassd/multipassd.conf, else
      /root/.config/multipassd/multipassd.conf) and its root certificate (the snap's data
      directory, else /usr/local/etc/multipassd/), and copies into this daemon's store and
      layout: every trusted client certificate, the passphrase hash as it is (replaced by a
      salted one at the first successful \`multipass authenticate\`), and the root CA and
      server certificate with their keys, so that the real Multipass CLI keeps verifying the
      daemon. Multipass's files are never changed. Safe to run again. A passphrase or identity
      this daemon already has and that differs is kept unless --force. The daemon does the
      same by itself at its first start when it finds a Multipass install.
    `,
    examples: [
      ['Adopt the Multipass install of this machine', '$0 import-multipass'],
      ['Adopt one elsewhere', '$0 import-multipass --from /mnt/old/var/lib/multipassd --settings /mnt/old/root/.config/multipassd/multipassd.conf --root-cert-dir /mnt/old/usr/local/etc/multipassd'],
    ],
  });

  from = Option.String('--from', { description: "Multipass's data directory" });
  settings = Option.String('--settings', { description: "Multipass's settings file (multipassd.conf)" });
  rootCertDir = Option.String('--root-cert-dir', { description: 'The directory holding multipass_root_cert.pem' });
  force = Option.Boolean('--force', false, { description: 'Replace a passphrase or daemon identity this daemon already has' });
  skipIdentity = Option.Boolean('--skip-identity', false, { description: 'Leave the daemon identity out; this daemon keeps or makes its own' });

  protected async run(): Promise<number> {
    const config = this.resolveConfig();
    const source = this.source(config);
    let report: ImportReport;
    try {
      report = await importMultipass(config, source, {
        force: this.force,
        skipIdentity: this.skipIdentity,
        logger: new PinoLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 2, config.logFormat),
      });
    } catch (error) {
      if (error instanceof MultipassImportError) throw new AdminFacingError(`cannot import the Multipass install: ${error.message}`);
      throw error;
    }
    this.context.stdout.write(describe(report, config));
    return 0;
  }

  private source(config: DaemonConfig): MultipassLocations {
    const { snap, native } = multipassDefaults(config.multipassRoot);
    const dataDir = this.from ?? (existsSync(snap.dataDir) ? snap.dataDir : native.dataDir);
    const found = multipassLocationsFor(dataDir, config.multipassRoot);
    return { ...found, settingsFile: this.settings ?? found.settingsFile, rootCertDir: this.rootCertDir ?? found.rootCertDir };
  }
}

const PASSPHRASE: Record<ImportReport['passphrase'], string> = {
  imported:
    "imported (Multipass's unsalted hash, replaced by a salted one at the first successful 'multipass authenticate' or the next 'multipass set local.passphrase')",
  unchanged: 'already imported',
  kept: 'kept the one already set here, which differs (--force to take Multipass\'s)',
  none: 'none set in Multipass',
};

function describe(report: ImportReport, config: DaemonConfig): string {
  const { source, clients } = report;
  const clientLine =
    clients.file === undefined
      ? 'none (Multipass trusts no client yet)'
      : clients.shared
        ? `${clients.found}, already in this daemon's store (the same file)`
        : `${clients.found} found, ${clients.added} newly trusted`;
  const root = report.identityPaths.rootCert;
  const identity: Record<ImportReport['identity'], string> = {
    imported: `imported: root CA ${root}, server certificate ${report.identityPaths.serverCert}`,
    'in-place': `used where Multipass keeps it (${root})`,
    unchanged: 'already imported',
    kept: 'kept the one this daemon already has, which differs (--force to take Multipass\'s)',
    none: 'none found in Multipass; multipassd makes its own',
    skipped: 'left out (--skip-identity)',
  };
  const lines = [
    `Imported from the Multipass install in ${source.dataDir} (settings: ${source.settingsFile}):`,
    `  trusted clients: ${clientLine}${clients.corrupt > 0 ? `; ${clients.corrupt} corrupt block(s) skipped` : ''}`,
    `  passphrase: ${PASSPHRASE[report.passphrase]}`,
    `  daemon identity: ${identity[report.identity]}`,
    "Multipass's files were not changed. Restart multipassd if it is running.",
  ];
  if (config.layout === 'native' && (report.identity === 'imported' || report.identity === 'unchanged')) {
    lines.push(
      `The Multipass CLI verifies the daemon with ${join(source.rootCertDir, 'multipass_root_cert.pem')}; ` +
        "to keep the root CA there once Multipass is removed, run multipassd with '--layout multipass' (or 'layout: multipass').",
    );
  }
  return `${lines.join('\n')}\n`;
}
