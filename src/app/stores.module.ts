import { ContainerModule } from 'inversify';
import { PemFileCertStore } from '../adapters/stores/pem-file-cert-store.js';
import { IniFileSettingsStore } from '../adapters/stores/ini-file-settings-store.js';
import { CertStore } from '../ports/cert-store.js';
import { Logger } from '../ports/logger.js';
import { SettingsStore } from '../ports/settings-store.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { pemCertStorePath, settingsFilePath } from './paths.js';
import { DaemonConfigToken } from './tokens.js';

/** `store: pem` (Multipass's own file layout) or `store: sqlite`. */
export const storesModule = new ContainerModule(({ bind }) => {
  bind(PemFileCertStore)
    .toResolvedValue(
      (config: DaemonConfig, logger: Logger) => new PemFileCertStore(pemCertStorePath(config.dataDir), logger),
      [DaemonConfigToken, Logger],
    )
    .inSingletonScope();
  bind(IniFileSettingsStore)
    .toResolvedValue(
      (config: DaemonConfig, logger: Logger) => new IniFileSettingsStore(settingsFilePath(config.dataDir), logger),
      [DaemonConfigToken, Logger],
    )
    .inSingletonScope();
  bind(CertStore).toService(PemFileCertStore);
  bind(SettingsStore).toService(IniFileSettingsStore);
});
