import { ContainerModule } from 'inversify';
import type { AdminGroup } from '../adapters/transports/unix-group.js';
import { AdminPeers } from '../domain/admin-peers.js';
import { ClientStatus } from '../domain/client-status.js';
import { AuditTrail } from '../domain/audit-trail.js';
import { ConnectionLimits } from '../domain/connection-limits.js';
import { DaemonSettings } from '../domain/daemon-settings.js';
import { DEFAULT_THROTTLE, EnrolmentThrottle } from '../domain/enrolment-throttle.js';
import { EnrolmentTokens } from '../domain/enrolment-tokens.js';
import { LastSeenTracker } from '../domain/last-seen-tracker.js';
import { PassphraseVault } from '../domain/passphrase-vault.js';
import { TrustAdministration } from '../domain/trust-administration.js';
import { TrustPolicy } from '../domain/trust-policy.js';
import { AuditLog } from '../ports/audit-log.js';
import { CertStore } from '../ports/cert-store.js';
import { Clock } from '../ports/clock.js';
import { Logger } from '../ports/logger.js';
import { OpenConnections } from '../ports/open-connections.js';
import { PassphraseHasher } from '../ports/passphrase-hasher.js';
import { Scheduler } from '../ports/scheduler.js';
import { SettingsStore } from '../ports/settings-store.js';
import { SocketAccess } from '../ports/socket-access.js';
import { TokenSecrets } from '../ports/token-secrets.js';
import { TokenStore } from '../ports/token-store.js';
import { UserDirectory } from '../ports/user-directory.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { AdminGroupToken } from './tokens.js';

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
    bind(AuditTrail)
      .toResolvedValue(
        (log: AuditLog, clock: Clock, scheduler: Scheduler, logger: Logger) => new AuditTrail(log, clock, scheduler, logger),
        [AuditLog, Clock, Scheduler, Logger],
      )
      .inSingletonScope();
    bind(EnrolmentTokens)
      .toResolvedValue(
        (store: TokenStore, secrets: TokenSecrets, clock: Clock, audit: AuditTrail) => new EnrolmentTokens(store, secrets, clock, audit),
        [TokenStore, TokenSecrets, Clock, AuditTrail],
      )
      .inSingletonScope();
    bind(LastSeenTracker)
      .toResolvedValue((store: CertStore, clock: Clock, logger: Logger) => new LastSeenTracker(store, clock, logger), [CertStore, Clock, Logger])
      .inSingletonScope();
    bind(TrustAdministration)
      .toResolvedValue(
        (store: CertStore, audit: AuditTrail, clock: Clock, seen: LastSeenTracker, connections: OpenConnections) =>
          new TrustAdministration(store, audit, clock, { seen, connections }),
        [CertStore, AuditTrail, Clock, LastSeenTracker, OpenConnections],
      )
      .inSingletonScope();
    bind(AdminPeers)
      .toResolvedValue(
        (users: UserDirectory, group: AdminGroup | undefined, audit: AuditTrail) =>
          new AdminPeers(users, { audit, ...(group === undefined ? {} : { adminGroup: group.name }) }),
        [UserDirectory, AdminGroupToken, AuditTrail],
      )
      .inSingletonScope();
    bind(ClientStatus)
      .toResolvedValue(
        (store: CertStore, vault: PassphraseVault, tokens: EnrolmentTokens, access: SocketAccess, admins: AdminPeers, clock: Clock) =>
          new ClientStatus({ store, vault, tokens, access, admins, clock }),
        [CertStore, PassphraseVault, EnrolmentTokens, SocketAccess, AdminPeers, Clock],
      )
      .inSingletonScope();
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
          tokens: EnrolmentTokens,
          audit: AuditTrail,
          seen: LastSeenTracker,
          connections: OpenConnections,
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
            tokens,
            audit,
            seen,
            connections,
          }),
        [
          CertStore,
          SocketAccess,
          PassphraseVault,
          EnrolmentThrottle,
          UserDirectory,
          Clock,
          Logger,
          EnrolmentTokens,
          AuditTrail,
          LastSeenTracker,
          OpenConnections,
        ],
      )
      .inSingletonScope();
    bind(DaemonSettings)
      .toResolvedValue((vault: PassphraseVault) => new DaemonSettings(vault), [PassphraseVault])
      .inSingletonScope();
  });
}
