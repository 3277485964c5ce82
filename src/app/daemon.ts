import type { Container } from 'inversify';
import { ensureDaemonIdentity } from '../adapters/crypto/daemon-identity.js';
import { GrpcServer } from '../adapters/rpc/grpc-server.js';
import { createRpcService } from '../adapters/rpc/rpc-service.js';
import type { Listener } from '../adapters/transports/listener.js';
import { DaemonSettings } from '../domain/daemon-settings.js';
import { TrustPolicy } from '../domain/trust-policy.js';
import { CertStore } from '../ports/cert-store.js';
import { InstanceInventory } from '../ports/instance-inventory.js';
import { Logger } from '../ports/logger.js';
import { SettingsStore } from '../ports/settings-store.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { buildDaemonContainer, type ContainerOverrides } from './container.js';
import { prepareDataDir } from './data-dir.js';
import { certificateDir } from './paths.js';
import { ListenerToken, VersionToken } from './tokens.js';

/** How soon a certificate removed by another process stops being trusted. */
export const STORE_REFRESH_MS = 2000;

export interface RunningDaemon {
  /** Where clients reach it: `unix:/path` or `host:port` with the bound port. */
  readonly address: string;
  readonly container: Container;
  stop(): Promise<void>;
}

/**
 * Start-up order matters: stores first (so the socket's initial mode can follow rule 7),
 * then the listener (created owner-only), then restrict or open it.
 */
export async function startDaemon(config: DaemonConfig, version: string, overrides: ContainerOverrides = {}): Promise<RunningDaemon> {
  prepareDataDir(config.dataDir);
  const container = buildDaemonContainer(config, version, overrides);
  const logger = container.get<Logger>(Logger);
  const certStore = await container.getAsync<CertStore>(CertStore);
  const settingsStore = await container.getAsync<SettingsStore>(SettingsStore);
  await certStore.load();
  await settingsStore.load();

  const listener = await container.getAsync<Listener>(ListenerToken);
  const identity = await ensureDaemonIdentity(certificateDir(config.dataDir), logger);
  const policy = await container.getAsync(TrustPolicy);
  const server = new GrpcServer(listener, { certPem: identity.serverCertPem, keyPem: identity.serverKeyPem }, logger);
  await server.start(
    createRpcService({
      transport: listener.kind,
      policy,
      settings: await container.getAsync(DaemonSettings),
      inventory: container.get<InstanceInventory>(InstanceInventory),
      version: container.get<string>(VersionToken),
      logger,
    }),
  );
  try {
    await policy.applyStartupAccess();
  } catch (error) {
    await server.stop();
    await certStore.close();
    await settingsStore.close();
    throw error;
  }
  logger.info('multipassd is listening', { address: server.address(), store: config.store, trusted: certStore.size() });

  // Picks up removals made by `multipassd trust remove` from another process (additions are
  // seen at once: an unknown caller triggers a resync). When nothing changed this costs one
  // stat (PEM) or one PRAGMA (SQLite).
  const storeWatch = setInterval(() => {
    policy.resync().catch((error: unknown) => logger.warn('cannot re-read the trusted certificates', { error: String(error) }));
  }, STORE_REFRESH_MS);
  storeWatch.unref();

  let stopping: Promise<void> | undefined;
  return {
    address: server.address(),
    container,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(storeWatch);
        await server.stop();
        await certStore.close();
        await settingsStore.close();
        logger.info('multipassd stopped');
      })();
      return stopping;
    },
  };
}
