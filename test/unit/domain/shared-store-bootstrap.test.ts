import { expect } from 'chai';
import { InMemoryCertStore } from '../../../src/adapters/stores/in-memory-cert-store.js';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import { AuthError } from '../../../src/domain/auth-error.js';
import { EnrolmentThrottle } from '../../../src/domain/enrolment-throttle.js';
import { PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import { TrustPolicy } from '../../../src/domain/trust-policy.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { FakeSocketAccess } from '../../support/fakes/fake-socket-access.js';
import { FakeUserDirectory } from '../../support/fakes/fake-user-directory.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';

/** A store many daemons share (the PostgreSQL store says so): nobody is trusted on first use. */
class SharedCertStore extends InMemoryCertStore {
  readonly bootstrapAllowed = false;
}

function policyOver(store: InMemoryCertStore, access: FakeSocketAccess): TrustPolicy {
  const clock = new FakeClock();
  return new TrustPolicy({
    store,
    access,
    vault: new PassphraseVault(new InMemorySettingsStore(), new FakePassphraseHasher()),
    throttle: new EnrolmentThrottle(clock, new FakeScheduler(clock)),
    users: new FakeUserDirectory(),
    clock,
    logger: new RecordingLoggerFake(),
  });
}

describe('TrustPolicy over a store that allows no bootstrap', () => {
  it('does not trust the first admin client on the restricted socket of an empty store, and stores nothing', async () => {
    const store = new SharedCertStore();
    const access = FakeSocketAccess.restrictedUnix();
    const policy = policyOver(store, access);
    const first = makeClientCertificate();
    const refused = await policy.admit({ transport: 'unix', peer: { kind: 'unix', uid: 0, gid: 0, pid: 1 }, certificate: first }).catch((error: unknown) => error);
    expect(AuthError.is(refused, 'not-trusted')).to.equal(true);
    expect(store.size()).to.equal(0);
    expect(access.isRestricted(), 'still restricted').to.equal(true);
  });

  it('admits a client an admin trusted explicitly, and opens the socket then', async () => {
    const store = new SharedCertStore();
    const access = FakeSocketAccess.restrictedUnix();
    const policy = policyOver(store, access);
    const first = makeClientCertificate();
    await store.add({ fingerprint: first.fingerprint, pem: first.pem });
    const principal = await policy.admit({ transport: 'unix', peer: { kind: 'unix', uid: 1000, gid: 1000, pid: 1 }, certificate: first });
    expect(principal.via).to.equal('trusted');
    await policy.resync();
    expect(access.isRestricted()).to.equal(false);
  });
});
