import { CertStore } from '../ports/cert-store.js';
import { SettingsStore } from '../ports/settings-store.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { buildDaemonContainer } from './container.js';
import { prepareDataDir } from './data-dir.js';
import { packageVersion } from './package-version.js';

export interface StoreSession {
  readonly certs: CertStore;
  readonly settings: SettingsStore;
}

/**
 * Opens the stores the configuration selects, without starting the daemon, runs `work`,
 * and closes them. This is how the offline admin commands reach the same data as the daemon.
 */
export async function withStores<T>(config: DaemonConfig, work: (session: StoreSession) => Promise<T>): Promise<T> {
  prepareDataDir(config.dataDir);
  const container = buildDaemonContainer(config, packageVersion());
  const certs = await container.getAsync<CertStore>(CertStore);
  const settings = await container.getAsync<SettingsStore>(SettingsStore);
  await certs.load();
  await settings.load();
  try {
    return await work({ certs, settings });
  } finally {
    await certs.close();
    await settings.close();
  }
}
