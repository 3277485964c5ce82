import { expect } from 'chai';
import { InMemoryCertStore } from '../../../src/adapters/stores/in-memory-cert-store.js';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import { DEFAULT_THROTTLE, EnrolmentThrottle } from '../../../src/domain/enrolment-throttle.js';
import { PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import { TrustPolicy } from '../../../src/domain/trust-policy.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakeOpenConnections } from '../../support/fakes/fake-open-connections.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { FakeSocketAccess } from '../../support/fakes/fake-socket-access.js';
import { FakeUserDirectory } from '../../support/fakes/fake-user-directory.js';
import { NullLogger } from '../../support/fakes/null-logger.js';

/** A store whose backing data another process changes: refresh() takes the change in. */
class SharedStore extends InMemoryCertStore {
  onRefresh: (() => Promise<void>) | undefined;

  override async refresh(): Promise<void> {
    await this.onRefresh?.();
    this.onRefresh = undefined;
  }
}

describe('TrustPolicy and open connections', () => {
  it('ends the connections of a certificate another process removed, at the next resync, and no others', async () => {
    const clock = new FakeClock();
    const store = new SharedStore();
    const connections = new FakeOpenConnections();
    const policy = new TrustPolicy({
      store,
      access: FakeSocketAccess.openUnix(),
      vault: new PassphraseVault(new InMemorySettingsStore(), new FakePassphraseHasher()),
      throttle: new EnrolmentThrottle(clock, new FakeScheduler(clock), DEFAULT_THROTTLE),
      users: new FakeUserDirectory(),
      clock,
      logger: new NullLogger(),
      connections,
    });
    const [removed, kept] = [makeClientCertificate(), makeClientCertificate()];
    await store.add(removed);
    await store.add(kept);
    connections.connect(removed.fingerprint, 3).connect(kept.fingerprint);

    await policy.resync();
    expect(connections.closed, 'nothing removed yet').to.deep.equal([]);

    store.onRefresh = async () => void (await store.remove(removed.fingerprint));
    await policy.resync();
    expect(connections.closed).to.deep.equal([removed.fingerprint]);
    expect(connections.fingerprints()).to.deep.equal([kept.fingerprint]);
  });
});
