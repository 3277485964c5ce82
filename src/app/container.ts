import 'reflect-metadata';
import { Container } from 'inversify';
import { NodeTokenSecrets } from '../adapters/crypto/node-token-secrets.js';
import { ScryptPassphraseHasher } from '../adapters/crypto/scrypt-passphrase-hasher.js';
import { PinoLogger } from '../adapters/logging/pino-logger.js';
import { EmptyInstanceInventory } from '../adapters/system/empty-instance-inventory.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { SystemScheduler } from '../adapters/system/system-scheduler.js';
import { Clock } from '../ports/clock.js';
import { InstanceInventory } from '../ports/instance-inventory.js';
import { Logger } from '../ports/logger.js';
import { PassphraseHasher } from '../ports/passphrase-hasher.js';
import { Scheduler } from '../ports/scheduler.js';
import { TokenSecrets } from '../ports/token-secrets.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { domainModule } from './domain.module.js';
import { storesModule } from './stores.module.js';
import { DaemonConfigToken, VersionToken } from './tokens.js';
import { transportsModule } from './transports.module.js';

export interface ContainerOverrides {
  readonly logger?: Logger;
}

/** The only place adapters are chosen: from the resolved configuration. */
export function buildDaemonContainer(config: DaemonConfig, version: string, overrides: ContainerOverrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(DaemonConfigToken).toConstantValue(config);
  container.bind(VersionToken).toConstantValue(version);
  container.bind(Logger).toConstantValue(overrides.logger ?? new PinoLogger(config.logLevel, 2, config.logFormat));
  container.bind(Clock).toConstantValue(new SystemClock());
  container.bind(Scheduler).toConstantValue(new SystemScheduler());
  container.bind(PassphraseHasher).toConstantValue(new ScryptPassphraseHasher());
  container.bind(InstanceInventory).toConstantValue(new EmptyInstanceInventory());
  container.bind(TokenSecrets).toConstantValue(new NodeTokenSecrets());
  container.load(domainModule(config), storesModule(config.store, config.dataDir), transportsModule(config));
  return container;
}
