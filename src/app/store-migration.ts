import type { StoreKind, DaemonConfig } from './config/daemon-config.js';
import { withStores, type StoreSession } from './store-session.js';

export interface MigrationReport {
  readonly from: StoreKind;
  readonly to: StoreKind;
  readonly certificates: number;
  readonly newCertificates: number;
  readonly settings: number;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Where `migrate-store --to <to>` copies from when `--from` is not given: the configured store
 * when it is another one; else, between the two file stores, the other one (as before there
 * were three kinds). Into a configured postgres store, the source must be named.
 * @throws MigrationError when the source cannot be told.
 */
export function defaultSource(config: Pick<DaemonConfig, 'store'>, to: StoreKind): StoreKind {
  if (config.store !== to) return config.store;
  if (to === 'sqlite') return 'pem';
  if (to === 'pem') return 'sqlite';
  throw new MigrationError('the configuration already selects the postgres store: name the store to copy from with --from pem or --from sqlite');
}

/**
 * Copies every trusted certificate (with its record) and setting from `from` into `to`. The
 * source is only read. Certificates go in one atomic write and settings one by one, each
 * durable and idempotent, so an interrupted run loses nothing and a second run completes it.
 * The copy is then read back through a fresh store instance and compared before success is
 * reported. Enrolment tokens are not copied: they live minutes, and an admin issues new ones.
 */
export async function migrateStore(config: DaemonConfig, to: StoreKind, from: StoreKind = defaultSource(config, to)): Promise<MigrationReport> {
  if (from === to) throw new MigrationError(`cannot copy the ${to} store onto itself: name another store with --from`);
  const source = await withStores({ ...config, store: from }, snapshot);

  const newCertificates = await withStores({ ...config, store: to }, async ({ certs, settings }) => {
    const added = await certs.addAll(source.certificates);
    for (const [key, value] of source.settings) await settings.set(key, value);
    return added;
  });

  const copy = await withStores({ ...config, store: to }, snapshot);
  const copied = new Map(copy.certificates.map((cert) => [cert.fingerprint, cert.pem]));
  const missing = source.certificates.filter((cert) => copied.get(cert.fingerprint) !== cert.pem);
  if (missing.length > 0) {
    throw new MigrationError(`verification failed: ${missing.length} certificate(s) did not reach the ${to} store`);
  }
  const copiedSettings = new Map(copy.settings);
  const differing = source.settings.filter(([key, value]) => copiedSettings.get(key) !== value).map(([key]) => key);
  if (differing.length > 0) {
    throw new MigrationError(`verification failed: setting(s) ${differing.join(', ')} differ in the ${to} store`);
  }
  return { from, to, certificates: source.certificates.length, newCertificates, settings: source.settings.length };
}

async function snapshot({ certs, settings }: StoreSession) {
  // Copying a damaged store would make an empty, healthy one: a fresh install behind the admin's back.
  const fault = certs.fault();
  if (fault !== undefined) throw new MigrationError(fault);
  return { certificates: await certs.list(), settings: await settings.entries() };
}

export type { DaemonConfig };
