import { lstatIfPresent } from '../adapters/fs/no-follow.js';
import { CertStore } from '../ports/cert-store.js';
import type { Logger } from '../ports/logger.js';
import type { DaemonConfig, StoreKind } from './config/daemon-config.js';
import { buildDaemonContainer } from './container.js';
import { packageVersion } from './package-version.js';
import { pemCertStorePath, sqliteStorePath } from './paths.js';

export interface OtherStore {
  readonly kind: StoreKind;
  /** Where its certificates are. */
  readonly path: string;
  readonly certificates: number;
}

/**
 * The stores on this host's disk that the configured one could have been switched from: the
 * other file store, or either of them for postgres (a fleet's database is not looked into).
 */
const otherLocalKinds = (kind: StoreKind): readonly StoreKind[] => (['pem', 'sqlite'] as const).filter((local) => local !== kind);

/** Loads quietly: the other store's own complaints are not this daemon's to log. */
const SILENT: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The other backend's certificates, when it holds any: what `store:` switched without
 * `migrate-store` leaves behind. Nothing is created: a backend whose file is absent or empty
 * is not opened. A backend that cannot be read counts as holding none.
 */
export async function otherStoreHolding(config: DaemonConfig): Promise<OtherStore | undefined> {
  for (const kind of otherLocalKinds(config.store)) {
    const found = await localStoreHolding(config, kind);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function localStoreHolding(config: DaemonConfig, kind: StoreKind): Promise<OtherStore | undefined> {
  const path = kind === 'sqlite' ? sqliteStorePath(config.dataDir) : pemCertStorePath(config.dataDir);
  const stats = lstatIfPresent(path);
  if (stats === undefined || !stats.isFile() || stats.size === 0) return undefined;
  try {
    const store = await buildDaemonContainer({ ...config, store: kind }, packageVersion(), { logger: SILENT }).getAsync<CertStore>(CertStore);
    await store.load();
    try {
      return store.fault() === undefined && store.size() > 0 ? { kind, path, certificates: store.size() } : undefined;
    } finally {
      await store.close();
    }
  } catch {
    return undefined;
  }
}

/** The admin's sentence for it, with the command that fixes it. */
export function storeSwitchProblem(config: DaemonConfig, other: OtherStore): string {
  // Into postgres, migrate-store needs its source named (store-migration.ts, defaultSource).
  const from = config.store === 'postgres' ? `--from ${other.kind} ` : '';
  return (
    `The ${config.store} store selected by the configuration holds no certificate, but the ${other.kind} store ` +
    `(${other.path}) holds ${other.certificates}: \`store:\` was switched without \`migrate-store\`, so nobody is ` +
    `trusted. Copy them over with \`multipassd migrate-store ${from}--to ${config.store}\` (then restart multipassd), ` +
    `or set \`store: ${other.kind}\` again.`
  );
}

/** At start: one warning when the selected store is empty and the other is not. */
export async function warnOfStoreSwitch(config: DaemonConfig, store: CertStore, logger: Logger): Promise<void> {
  if (store.size() !== 0 || store.fault() !== undefined) return;
  const other = await otherStoreHolding(config);
  if (other !== undefined) logger.warn(storeSwitchProblem(config, other), { store: config.store, other: other.kind, certificates: other.certificates });
}
