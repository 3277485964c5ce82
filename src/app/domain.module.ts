import { ContainerModule } from 'inversify';
import { DaemonSettings } from '../domain/daemon-settings.js';
import { PassphraseVault } from '../domain/passphrase-vault.js';
import { TrustPolicy } from '../domain/trust-policy.js';
import { CertStore } from '../ports/cert-store.js';
import { Clock } from '../ports/clock.js';
import { Logger } from '../ports/logger.js';
import { PassphraseHasher } from '../ports/passphrase-hasher.js';
import { SettingsStore } from '../ports/settings-store.js';
import { SocketAccess } from '../ports/socket-access.js';

/** The domain stays free of inversify: its classes are bound here with the tokens they need. */
export const domainModule = new ContainerModule(({ bind }) => {
  bind(PassphraseVault)
    .toResolvedValue((settings: SettingsStore, hasher: PassphraseHasher) => new PassphraseVault(settings, hasher), [
      SettingsStore,
      PassphraseHasher,
    ])
    .inSingletonScope();
  bind(TrustPolicy)
    .toResolvedValue(
      (store: CertStore, access: SocketAccess, vault: PassphraseVault, clock: Clock, logger: Logger) =>
        new TrustPolicy(store, access, vault, clock, logger),
      [CertStore, SocketAccess, PassphraseVault, Clock, Logger],
    )
    .inSingletonScope();
  bind(DaemonSettings)
    .toResolvedValue((vault: PassphraseVault) => new DaemonSettings(vault), [PassphraseVault])
    .inSingletonScope();
});
