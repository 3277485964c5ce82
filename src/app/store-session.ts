import { AuditTrail } from '../domain/audit-trail.js';
import { AuthError } from '../domain/auth-error.js';
import { EnrolmentTokens } from '../domain/enrolment-tokens.js';
import { TrustAdministration } from '../domain/trust-administration.js';
import { CertStore } from '../ports/cert-store.js';
import { SettingsStore } from '../ports/settings-store.js';
import { TokenStore } from '../ports/token-store.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { buildDaemonContainer } from './container.js';
import { prepareDataDir } from './data-dir.js';
import { packageVersion } from './package-version.js';

export interface StoreSession {
  readonly certs: CertStore;
  readonly settings: SettingsStore;
  readonly tokenStore: TokenStore;
  /** The admin's use cases over these stores, audited as the daemon's are. */
  readonly admin: TrustAdministration;
  readonly tokens: EnrolmentTokens;
  readonly audit: AuditTrail;
}

/**
 * Opens the stores the configuration selects, without starting the daemon, runs `work`,
 * and closes them. This is how the offline admin commands reach the same data as the daemon.
 * An unreachable database is told to the admin with its reason (clients only get "try again").
 */
export async function withStores<T>(config: DaemonConfig, work: (session: StoreSession) => Promise<T>): Promise<T> {
  prepareDataDir(config.dataDir);
  const container = buildDaemonContainer(config, packageVersion());
  const certs = await container.getAsync<CertStore>(CertStore);
  const settings = await container.getAsync<SettingsStore>(SettingsStore);
  const tokenStore = await container.getAsync<TokenStore>(TokenStore);
  try {
    await certs.load();
    await settings.load();
    await tokenStore.load();
    return await work({
      certs,
      settings,
      tokenStore,
      admin: await container.getAsync(TrustAdministration),
      tokens: await container.getAsync(EnrolmentTokens),
      audit: await container.getAsync(AuditTrail),
    });
  } catch (error) {
    throw forTheAdmin(error);
  } finally {
    await certs.close();
    await settings.close();
    await tokenStore.close();
  }
}

/**
 * The audit trail of the configured data dir, opening no store: reading the log needs none,
 * and must work whatever state the stores are in.
 */
export function auditTrailOf(config: DaemonConfig): Promise<AuditTrail> {
  return buildDaemonContainer(config, packageVersion()).getAsync(AuditTrail);
}

/** `store-offline` carries a message fit for any client; an admin is told why as well. */
function forTheAdmin(error: unknown): unknown {
  if (!AuthError.is(error, 'store-offline') || !(error.cause instanceof Error)) return error;
  return new AuthError('store-offline', `The trust store is unavailable: ${error.cause.message}. Try again later.`, { cause: error.cause });
}
