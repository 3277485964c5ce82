import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { sameFile } from '../adapters/fs/same-file.js';
import { looksLikeMultipass } from '../adapters/multipass/multipass-install.js';
import { multipassClientsFile, type MultipassLocations } from '../adapters/multipass/multipass-locations.js';
import type { Logger } from '../ports/logger.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { importMultipass, MultipassImportError } from './multipass-import.js';
import { daemonIdentityPaths, multipassDefaults, pemCertStorePath, settingsFilePath, sqliteStorePath, SYSTEM_DATA_DIR } from './paths.js';

/**
 * The first Multipass install at its default locations (the snap's first), if any. Under
 * `config.multipassRoot` (MULTIPASSD_MULTIPASS_ROOT) rather than `/` for tests and packaging.
 */
export function findMultipassInstall(config: Pick<DaemonConfig, 'multipassRoot'>): MultipassLocations | undefined {
  const { snap, native } = multipassDefaults(config.multipassRoot);
  return [snap, native].find((locations) => isDirectory(locations.dataDir) && looksLikeMultipass(locations.dataDir));
}

/**
 * At the first start (no settings or store of ours yet, and no identity of ours), adopts a
 * Multipass install found at the default locations, as `multipassd import-multipass` would,
 * and logs what it adopted. A Multipass install that cannot be adopted as it is (incomplete,
 * damaged) is logged and left for the admin; the daemon then starts afresh. Only the system
 * daemon (the default data dir) does this, or any daemon when MULTIPASSD_MULTIPASS_ROOT is
 * set: a developer's per-user daemon must not take over the machine's Multipass.
 */
export async function adoptMultipassAtFirstStart(config: DaemonConfig, logger: Logger): Promise<void> {
  if (config.multipassRoot === '' && resolve(config.dataDir) !== SYSTEM_DATA_DIR) return;
  const found = findMultipassInstall(config);
  if (found === undefined || !isFirstStart(config, found)) return;
  try {
    const report = await importMultipass(config, found, { logger });
    logger.info('adopted the Multipass install found at first start', {
      dataDir: found.dataDir,
      settings: found.settingsFile,
      trustedClients: report.clients.found,
      newlyTrusted: report.clients.added,
      passphrase: report.passphrase,
      identity: report.identity,
    });
  } catch (error) {
    if (!(error instanceof MultipassImportError)) throw error;
    logger.warn(`found a Multipass install at ${found.dataDir} but cannot adopt it: ${error.message}. Starting afresh; see 'multipassd import-multipass --help'.`, {
      dataDir: found.dataDir,
    });
  }
}

/**
 * Nothing of ours yet: no settings or store (the PEM store may be Multipass's own file, when
 * both use /var/lib/multipassd), and no identity where our layout keeps it (with the
 * `multipass` layout that is Multipass's own, adopted in place).
 */
function isFirstStart(config: DaemonConfig, found: MultipassLocations): boolean {
  // A store the fleet shares is never filled behind the admin's back from one host's Multipass:
  // `multipassd import-multipass` does it when asked.
  if (config.store === 'postgres') return false;
  const stores =
    config.store === 'sqlite'
      ? !existsSync(sqliteStorePath(config.dataDir))
      : !existsSync(settingsFilePath(config.dataDir)) &&
        (!existsSync(pemCertStorePath(config.dataDir)) || sameFile(pemCertStorePath(config.dataDir), multipassClientsFile(found.dataDir)));
  const identity = config.layout === 'multipass' || !existsSync(daemonIdentityPaths(config).rootCert);
  return stores && identity;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}
