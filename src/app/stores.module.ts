import { ContainerModule } from 'inversify';
import { IniFileSettingsStore } from '../adapters/stores/ini-file-settings-store.js';
import { PemFileCertStore } from '../adapters/stores/pem-file-cert-store.js';
import { SqliteCertStore } from '../adapters/stores/sqlite/sqlite-cert-store.js';
import { SqliteSettingsStore } from '../adapters/stores/sqlite/sqlite-settings-store.js';
import { CertStore } from '../ports/cert-store.js';
import { Logger } from '../ports/logger.js';
import { SettingsStore } from '../ports/settings-store.js';
import type { StoreKind } from './config/daemon-config.js';
import { pemCertStorePath, settingsFilePath, sqliteStorePath } from './paths.js';

/**
 * `store: pem` keeps Multipass's own files (the PEM bundle an admin can append to, and an
 * INI settings file); `store: sqlite` keeps both in `<data>/multipassd.db`.
 */
export function storesModule(kind: StoreKind, dataDir: string): ContainerModule {
  return new ContainerModule(({ bind }) => {
    if (kind === 'sqlite') {
      const path = sqliteStorePath(dataDir);
      bind(SqliteCertStore).toResolvedValue((logger: Logger) => new SqliteCertStore(path, logger), [Logger]).inSingletonScope();
      bind(SqliteSettingsStore).toResolvedValue((logger: Logger) => new SqliteSettingsStore(path, logger), [Logger]).inSingletonScope();
      bind(CertStore).toService(SqliteCertStore);
      bind(SettingsStore).toService(SqliteSettingsStore);
    } else {
      const certs = pemCertStorePath(dataDir);
      const settings = settingsFilePath(dataDir);
      bind(PemFileCertStore).toResolvedValue((logger: Logger) => new PemFileCertStore(certs, logger), [Logger]).inSingletonScope();
      bind(IniFileSettingsStore).toResolvedValue((logger: Logger) => new IniFileSettingsStore(settings, logger), [Logger]).inSingletonScope();
      bind(CertStore).toService(PemFileCertStore);
      bind(SettingsStore).toService(IniFileSettingsStore);
    }
  });
}
