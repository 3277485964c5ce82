import { ContainerModule } from 'inversify';
import { JsonLinesAuditLog } from '../adapters/audit/json-lines-audit-log.js';
import { IniFileSettingsStore } from '../adapters/stores/ini-file-settings-store.js';
import { JsonFileTokenStore } from '../adapters/stores/json-file-token-store.js';
import { PemFileCertStore } from '../adapters/stores/pem-file-cert-store.js';
import { PostgresCertStore } from '../adapters/stores/postgres/postgres-cert-store.js';
import { PostgresPool } from '../adapters/stores/postgres/postgres-pool.js';
import { PostgresSettingsStore } from '../adapters/stores/postgres/postgres-settings-store.js';
import { PostgresTarget } from '../adapters/stores/postgres/postgres-target.js';
import { PostgresTokenStore } from '../adapters/stores/postgres/postgres-token-store.js';
import { SqliteCertStore } from '../adapters/stores/sqlite/sqlite-cert-store.js';
import { SqliteSettingsStore } from '../adapters/stores/sqlite/sqlite-settings-store.js';
import { SqliteTokenStore } from '../adapters/stores/sqlite/sqlite-token-store.js';
import { AuditLog } from '../ports/audit-log.js';
import { CertStore } from '../ports/cert-store.js';
import { Logger } from '../ports/logger.js';
import { SettingsStore } from '../ports/settings-store.js';
import { TokenStore } from '../ports/token-store.js';
import type { DaemonConfig, StoreKind } from './config/daemon-config.js';
import { pemCertStorePath, settingsFilePath, sqliteStorePath } from './paths.js';
import { DaemonConfigToken } from './tokens.js';
import { auditLogPath, postgresLastCopyPath, tokenFilePath } from './trust-data-paths.js';

/**
 * `store: pem` keeps Multipass's own files (the PEM bundle an admin can append to, with its
 * records in a sidecar, and an INI settings file) and enrolment tokens in a JSON file;
 * `store: sqlite` keeps all three in `<data>/multipassd.db`; `store: postgres` keeps them in a
 * PostgreSQL database that a fleet of daemons shares (`postgres_url`), through one small pool.
 * The audit log is this host's own file for every kind: it records what this daemon and its
 * admins did, and must be written even while a shared database is unreachable.
 */
export function storesModule(kind: StoreKind, dataDir: string): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(AuditLog).toConstantValue(new JsonLinesAuditLog(auditLogPath(dataDir)));
    if (kind === 'postgres') {
      bind(PostgresPool)
        .toResolvedValue((config: DaemonConfig, logger: Logger) => new PostgresPool(new PostgresTarget(config.postgresUrl), logger), [
          DaemonConfigToken,
          Logger,
        ])
        .inSingletonScope();
      bind(PostgresCertStore)
        .toResolvedValue(
          (pool: PostgresPool, logger: Logger) => new PostgresCertStore(pool, logger, { lastCopyPath: postgresLastCopyPath(dataDir) }),
          [PostgresPool, Logger],
        )
        .inSingletonScope();
      bind(PostgresSettingsStore).toResolvedValue((pool: PostgresPool) => new PostgresSettingsStore(pool), [PostgresPool]).inSingletonScope();
      bind(TokenStore).toResolvedValue((pool: PostgresPool) => new PostgresTokenStore(pool), [PostgresPool]).inSingletonScope();
      bind(CertStore).toService(PostgresCertStore);
      bind(SettingsStore).toService(PostgresSettingsStore);
    } else if (kind === 'sqlite') {
      const path = sqliteStorePath(dataDir);
      bind(SqliteCertStore).toResolvedValue((logger: Logger) => new SqliteCertStore(path, logger), [Logger]).inSingletonScope();
      bind(SqliteSettingsStore).toResolvedValue((logger: Logger) => new SqliteSettingsStore(path, logger), [Logger]).inSingletonScope();
      bind(TokenStore).toResolvedValue((logger: Logger) => new SqliteTokenStore(path, logger), [Logger]).inSingletonScope();
      bind(CertStore).toService(SqliteCertStore);
      bind(SettingsStore).toService(SqliteSettingsStore);
    } else {
      const certs = pemCertStorePath(dataDir);
      const settings = settingsFilePath(dataDir);
      bind(PemFileCertStore).toResolvedValue((logger: Logger) => new PemFileCertStore(certs, logger), [Logger]).inSingletonScope();
      bind(IniFileSettingsStore).toResolvedValue((logger: Logger) => new IniFileSettingsStore(settings, logger), [Logger]).inSingletonScope();
      bind(TokenStore).toConstantValue(new JsonFileTokenStore(tokenFilePath(dataDir)));
      bind(CertStore).toService(PemFileCertStore);
      bind(SettingsStore).toService(IniFileSettingsStore);
    }
  });
}
