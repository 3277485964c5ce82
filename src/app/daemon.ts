import type { Container } from 'inversify';
import { dirname } from 'node:path';
import { ensureDaemonIdentity, type DaemonIdentityPaths } from '../adapters/crypto/daemon-identity.js';
import { ensureTrustedDirectory } from '../adapters/fs/trusted-directory.js';
import { GrpcServer } from '../adapters/rpc/grpc-server.js';
import { MULTIPASS_WIRE } from '../adapters/rpc/multipass-wire-schema.js';
import { createRpcService } from '../adapters/rpc/rpc-service.js';
import { ConnectionRegistry } from '../adapters/transports/connection-guard.js';
import type { Listener } from '../adapters/transports/listener.js';
import { ConnectionLimits } from '../domain/connection-limits.js';
import { DaemonSettings } from '../domain/daemon-settings.js';
import { LastSeenTracker } from '../domain/last-seen-tracker.js';
import { PASSPHRASE_KEY, PassphraseVault } from '../domain/passphrase-vault.js';
import { TrustPolicy } from '../domain/trust-policy.js';
import { CertStore } from '../ports/cert-store.js';
import { Clock } from '../ports/clock.js';
import { InstanceInventory } from '../ports/instance-inventory.js';
import { Logger } from '../ports/logger.js';
import { Scheduler } from '../ports/scheduler.js';
import { SettingsStore } from '../ports/settings-store.js';
import { TokenStore } from '../ports/token-store.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { buildDaemonContainer, type ContainerOverrides } from './container.js';
import { daemonServices } from './daemon-services.js';
import { lockDaemonInstance } from './instance-locks.js';
import { adoptMultipassAtFirstStart } from './first-start-import.js';
import { daemonIdentityPaths } from './paths.js';
import { keepServerIdentityRenewed } from './server-identity-renewal.js';
import { warnOfStoreSwitch } from './store-switch.js';
import { ListenerToken, VersionToken } from './tokens.js';

/** How soon a certificate removed by another process stops being trusted. */
export const STORE_REFRESH_MS = 2000;

/**
 * How often last-seen times go to the store (and at stop): stored times lag by this much at
 * most. The hidden MULTIPASSD_LAST_SEEN_FLUSH_MS shortens it for the end-to-end tests.
 */
export const LAST_SEEN_FLUSH_MS = Number(process.env.MULTIPASSD_LAST_SEEN_FLUSH_MS) || 5 * 60_000;

export interface RunningDaemon {
  /** Where clients reach it: `unix:/path` or `host:port` with the bound port. */
  readonly address: string;
  readonly container: Container;
  stop(): Promise<void>;
}

/**
 * Start-up order matters: the instance locks before anything is written, stores next (so the
 * socket's initial mode can follow rule 7), then the listener (created owner-only), then
 * restrict or open it. What serving does not need (the passphrase's health, timers) comes
 * after the daemon listens.
 */
export async function startDaemon(config: DaemonConfig, version: string, overrides: ContainerOverrides = {}): Promise<RunningDaemon> {
  const instance = await lockDaemonInstance(config);
  try {
    const daemon = await startLocked(config, version, overrides);
    return { ...daemon, stop: () => daemon.stop().finally(instance.release) };
  } catch (error) {
    instance.release();
    throw error;
  }
}

async function startLocked(config: DaemonConfig, version: string, overrides: ContainerOverrides): Promise<RunningDaemon> {
  const container = buildDaemonContainer(config, version, overrides);
  const logger = container.get<Logger>(Logger);
  await adoptMultipassAtFirstStart(config, logger);
  const certStore = await container.getAsync<CertStore>(CertStore);
  const settingsStore = await container.getAsync<SettingsStore>(SettingsStore);
  await certStore.load();
  await settingsStore.load();
  // A damaged store starts anyway (restricted, no bootstrap) so the admin can mend it live.
  const reportFault = faultReporter(certStore, logger);
  reportFault();
  await warnOfStoreSwitch(config, certStore, logger);

  const listener = await container.getAsync<Listener>(ListenerToken);
  const identity = await ensureDaemonIdentity(identityPaths(config), logger);
  const policy = await container.getAsync(TrustPolicy);
  const { limits } = config;
  const server = new GrpcServer(listener, { certPem: identity.serverCertPem, keyPem: identity.serverKeyPem }, logger, {
    guard: { handshakeTimeoutMs: limits.handshakeTimeoutMs, untrustedTimeoutMs: limits.untrustedConnectionTimeoutMs },
    limits: container.get(ConnectionLimits),
    isTrusted: (fingerprint) => policy.isTrusted(fingerprint),
    registry: container.get(ConnectionRegistry),
  });
  await server.start([
    {
      schema: MULTIPASS_WIRE,
      handlers: createRpcService({
        transport: listener.kind,
        policy,
        settings: await container.getAsync(DaemonSettings),
        inventory: container.get<InstanceInventory>(InstanceInventory),
        version: container.get<string>(VersionToken),
        logger,
      }),
    },
    ...(await daemonServices(container, listener.kind, policy)),
  ]);
  try {
    await policy.applyStartupAccess();
  } catch (error) {
    await server.stop();
    await certStore.close();
    await settingsStore.close();
    throw error;
  }
  logger.info('multipassd is listening', { address: server.address(), store: config.store, trusted: certStore.size() });
  // Not needed to serve: told after the daemon accepts connections (a damaged hash only
  // refuses enrolments, and says so to the admin here).
  const passphraseProblem = await (await container.getAsync(PassphraseVault)).health();
  if (passphraseProblem !== undefined) logger.error(passphraseProblem, { file: settingsStore.location(), key: PASSPHRASE_KEY });

  // Picks up removals made by `multipassd trust remove` from another process (additions are
  // seen at once: an unknown caller triggers a resync). When nothing changed this costs one
  // stat (PEM) or one PRAGMA (SQLite).
  const storeWatch = setInterval(() => {
    policy
      .resync()
      .then(reportFault)
      .catch((error: unknown) => logger.warn('cannot re-read the trusted certificates', { error: String(error) }));
  }, STORE_REFRESH_MS);
  storeWatch.unref();
  const renewal = keepServerIdentityRenewed(identity, {
    location: identityPaths(config),
    clock: container.get<Clock>(Clock),
    scheduler: container.get<Scheduler>(Scheduler),
    logger,
    swap: (renewed) => server.renewIdentity({ certPem: renewed.serverCertPem, keyPem: renewed.serverKeyPem }),
  });
  const lastSeen = container.get(LastSeenTracker);
  const seenFlush = setInterval(() => void lastSeen.flush(), LAST_SEEN_FLUSH_MS);
  seenFlush.unref();

  let stopping: Promise<void> | undefined;
  return {
    address: server.address(),
    container,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(storeWatch);
        await renewal.stop();
        clearInterval(seenFlush);
        await server.stop();
        await lastSeen.flush();
        await (await container.getAsync<TokenStore>(TokenStore)).close();
        await certStore.close();
        await settingsStore.close();
        logger.info('multipassd stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Where the identity is, for the layout. With `multipass` the root CA goes where Multipass's
 * CLI reads it (outside the data dir for a non-snap install): that directory gets the same
 * StrictModes check as the data dir before anything is written in it.
 */
function identityPaths(config: DaemonConfig): DaemonIdentityPaths {
  const paths = daemonIdentityPaths(config);
  if (config.layout === 'multipass') {
    ensureTrustedDirectory(dirname(paths.rootCert), 0o755, { name: "the directory of Multipass's root certificate", option: '--layout' });
  }
  return paths;
}

/** Logs the store's fault once when it appears (or changes), and once when it is mended. */
function faultReporter(store: CertStore, logger: Logger): () => void {
  let reported: string | undefined;
  return () => {
    const fault = store.fault();
    if (fault === reported) return;
    if (fault === undefined) logger.info('the trusted certificates store is readable again');
    else logger.error(fault);
    reported = fault;
  };
}
