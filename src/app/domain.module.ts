import { ContainerModule } from 'inversify';
import { ConnectionLimits } from '../domain/connection-limits.js';
import { DaemonSettings } from '../domain/daemon-settings.js';
import { DEFAULT_THROTTLE, EnrolmentThrottle } from '../domain/enrolment-throttle.js';
import { PassphraseVault } from '../domain/passphrase-vault.js';
import { TrustPolicy } from '../domain/trust-policy.js';
import { CertStore } from '../ports/cert-store.js';
import { Clock } from '../ports/clock.js';
import { Logger } from '../ports/logger.js';
import { PassphraseHasher } from '../ports/passphrase-hasher.js';
import { Scheduler } from '../ports/scheduler.js';
import { SettingsStore } from '../ports/settings-store.js';
import { SocketAccess } from '../ports/socket-access.js';
import { UserDirectory } from '../ports/user-directory.js';
import type { DaemonConfig } from './config/daemon-config.js';

/** The domain stays free of inversify: its classes are bound here with the tokens they need. */
export function domainModule(config: DaemonConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(PassphraseVault)
      .toResolvedValue(
        (settings: SettingsStore, hasher: PassphraseHasher, logger: Logger) => new PassphraseVault(settings, hasher, logger),
        [SettingsStore, PassphraseHasher, Logger],
      )
      .inSingletonScope();
    bind(EnrolmentThrottle)
      .toResolvedValue(
        (clock: Clock, scheduler: Scheduler) =>
          new EnrolmentThrottle(clock, scheduler, {
            ...DEFAULT_THROTTLE,
            failuresPerMinute: config.limits.passphraseGuessesPerMinute,
            failuresPerMinutePerPeer: config.limits.passphraseGuessesPerMinutePerPeer,
          }),
        [Clock, Scheduler],
      )
      .inSingletonScope();
    bind(ConnectionLimits)
      .toConstantValue(
        new ConnectionLimits({
          maxUntrustedTotal: config.limits.maxUntrustedConnections,
          maxUntrustedPerPeer: config.limits.maxUntrustedConnectionsPerPeer,
        }),
      );
    bind(TrustPolicy)
      .toResolvedValue(
        (
          store: CertStore,
          access: SocketAccess,
          vault: PassphraseVault,
          throttle: EnrolmentThrottle,
          users: UserDirectory,
          clock: Clock,
          logger: Logger,
        ) =>
          new TrustPolicy({
            store,
            access,
            vault,
            throttle,
            users,
            clock,
            logger,
            options: { rejectExpired: config.rejectExpiredCertificates },
          }),
        [CertStore, SocketAccess, PassphraseVault, EnrolmentThrottle, UserDirectory, Clock, Logger],
      )
      .inSingletonScope();
    bind(DaemonSettings)
      .toResolvedValue((vault: PassphraseVault) => new DaemonSettings(vault), [PassphraseVault])
      .inSingletonScope();
  });
}
