import { expect } from 'chai';
import { InMemoryCertStore } from '../../../src/adapters/stores/in-memory-cert-store.js';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import type { Caller } from '../../../src/domain/caller.js';
import type { ClientCertificate } from '../../../src/domain/client-certificate.js';
import { PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import { EnrolmentThrottle } from '../../../src/domain/enrolment-throttle.js';
import { TrustPolicy } from '../../../src/domain/trust-policy.js';
import { expectAuthError } from '../../support/expect-auth-error.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { FakeSocketAccess } from '../../support/fakes/fake-socket-access.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { FakeUserDirectory } from '../../support/fakes/fake-user-directory.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';

const DAMAGED = "The trusted certificates store '/data/certs.pem' exists but is empty";

function harness(store = new InMemoryCertStore()) {
  const access = FakeSocketAccess.restrictedUnix();
  const vault = new PassphraseVault(new InMemorySettingsStore(), new FakePassphraseHasher());
  const clock = new FakeClock();
  const policy = new TrustPolicy({
    store,
    access,
    vault,
    throttle: new EnrolmentThrottle(clock, new FakeScheduler(clock)),
    users: new FakeUserDirectory(),
    clock,
    logger: new RecordingLoggerFake(),
  });
  return { policy, store, access, vault };
}

/** An admin (uid 1000 is one for FakeUserDirectory): only the fault may stop its bootstrap. */
const unixCaller = (certificate: ClientCertificate): Caller => ({
  transport: 'unix',
  peer: { kind: 'unix', uid: 1000, gid: 1000, pid: 1 },
  certificate,
});

/** A damaged store is not an empty one: it must never hand the first caller admin trust. */
describe('TrustPolicy over a damaged store', () => {
  it('does not bootstrap the first client on the restricted socket while the store reports a fault', async () => {
    const { policy, store, access } = harness();
    store.setFault(DAMAGED);

    await expectAuthError(policy.admit(unixCaller(makeClientCertificate())), 'not-trusted');

    expect(store.size()).to.equal(0);
    expect(store.fault()).to.equal(DAMAGED);
    expect(access.isRestricted()).to.equal(true);
    expect(access.calls).to.deep.equal([]);
  });

  it('does not bootstrap when the fault appears while the caller waits for the bootstrap lock', async () => {
    // The first refresh (the look before the lock) finds a healthy empty store; the one inside
    // the lock finds the file damaged meanwhile.
    class DamagedOnSecondRefresh extends InMemoryCertStore {
      refreshes = 0;
      override async refresh(): Promise<void> {
        this.refreshes += 1;
        if (this.refreshes === 2) this.setFault(DAMAGED);
      }
    }
    const store = new DamagedOnSecondRefresh();
    const { policy, access } = harness(store);

    await expectAuthError(policy.admit(unixCaller(makeClientCertificate())), 'not-trusted');

    expect(store.refreshes).to.equal(2);
    expect(store.size()).to.equal(0);
    expect(access.isRestricted()).to.equal(true);
  });

  it('restricts the socket at start while the store reports a fault', async () => {
    const { policy, store, access } = harness();
    store.setFault(DAMAGED);

    await policy.applyStartupAccess();

    expect(access.calls).to.deep.equal(['restrict']);
  });

  it('bootstraps again once the fault is gone, as when the admin deletes the damaged file', async () => {
    const { policy, store, access } = harness();
    store.setFault(DAMAGED);
    const first = makeClientCertificate();
    await expectAuthError(policy.admit(unixCaller(first)), 'not-trusted');

    store.setFault(undefined);

    expect(await policy.admit(unixCaller(first))).to.deep.equal({ fingerprint: first.fingerprint, via: 'bootstrap' });
    expect(access.isRestricted()).to.equal(false);
  });

  it("still enrols a caller who gives the admin's passphrase, which heals the store", async () => {
    const { policy, store, vault } = harness();
    await vault.set('pw');
    store.setFault(DAMAGED);
    const cert = makeClientCertificate();

    expect(await policy.enrol(unixCaller(cert), 'pw')).to.deep.equal({ fingerprint: cert.fingerprint, via: 'passphrase' });

    expect(store.fault()).to.equal(undefined);
    expect(store.contains(cert.fingerprint)).to.equal(true);
  });
});
