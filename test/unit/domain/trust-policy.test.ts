import { expect } from 'chai';
import { certificatesOf } from '../../support/fakes/certificates-of.js';
import { InMemoryCertStore } from '../../../src/adapters/stores/in-memory-cert-store.js';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import { AuthError, type AuthErrorCode } from '../../../src/domain/auth-error.js';
import type { Caller, TransportKind } from '../../../src/domain/caller.js';
import { EnrolmentThrottle } from '../../../src/domain/enrolment-throttle.js';
import type { Peer } from '../../../src/domain/peer.js';
import type { ClientCertificate } from '../../../src/domain/client-certificate.js';
import { PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import type { TrustedCertificate } from '../../../src/domain/trusted-certificate.js';
import { NOT_AUTHENTICATED_MESSAGE, TrustPolicy } from '../../../src/domain/trust-policy.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { FakeSocketAccess } from '../../support/fakes/fake-socket-access.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { FakeUserDirectory } from '../../support/fakes/fake-user-directory.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';

const NOT_SET_MESSAGE = 'Passphrase is not set. Please `multipass set local.passphrase` with a trusted client.';
const MISMATCH_MESSAGE = 'Passphrase is not correct. Please try again.';
const DAY = 24 * 60 * 60 * 1000;

/**
 * Commits an add only after yielding to the event loop, as a durable store does. With the
 * in-memory store's synchronous insert, a missing bootstrap lock would go unnoticed.
 */
class SlowCertStore extends InMemoryCertStore {
  override async add(certificate: TrustedCertificate): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve));
    return super.add(certificate);
  }
}

class UnwritableCertStore extends InMemoryCertStore {
  override async add(): Promise<boolean> {
    throw new AuthError('store-unavailable', 'disk full');
  }
}

interface Harness {
  policy: TrustPolicy;
  store: InMemoryCertStore;
  settings: InMemorySettingsStore;
  vault: PassphraseVault;
  access: FakeSocketAccess;
  clock: FakeClock;
  logger: RecordingLoggerFake;
}

function harness(options: { access: FakeSocketAccess; store?: InMemoryCertStore; rejectExpired?: boolean }): Harness {
  const store = options.store ?? new InMemoryCertStore();
  const settings = new InMemorySettingsStore();
  const vault = new PassphraseVault(settings, new FakePassphraseHasher());
  const clock = new FakeClock();
  const logger = new RecordingLoggerFake();
  const throttle = new EnrolmentThrottle(clock, new FakeScheduler(clock));
  const policy = new TrustPolicy({
    store,
    access: options.access,
    vault,
    throttle,
    users: new FakeUserDirectory(),
    clock,
    logger,
    options: { rejectExpired: options.rejectExpired ?? false },
  });
  return { policy, store, settings, vault, access: options.access, clock, logger };
}

/** An admin (alice, uid 1000) on the Unix socket, or a local TCP client. */
const ALICE: Peer = { kind: 'unix', uid: 1000, gid: 1000, pid: 4242 };
const NOBODY: Peer = { kind: 'unix', uid: 65534, gid: 65534, pid: 4343 };
const LOOPBACK: Peer = { kind: 'tcp', address: '127.0.0.0/8' };

function caller(certificate?: ClientCertificate, transport: TransportKind = 'unix', unixPeer: Peer = ALICE): Caller {
  const peer = transport === 'unix' ? unixPeer : LOOPBACK;
  return certificate === undefined ? { transport, peer } : { transport, peer, certificate };
}

function trusted(cert: ClientCertificate): TrustedCertificate {
  return { fingerprint: cert.fingerprint, pem: cert.pem };
}

async function authErrorOf(promise: Promise<unknown>): Promise<AuthError> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  if (!AuthError.is(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

async function expectAuthError(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const error = await authErrorOf(promise);
  expect(AuthError.is(error, code), `code ${error.code}, expected ${code}`).to.equal(true);
  return error;
}

describe('TrustPolicy', () => {
  describe('admit', () => {
    it('refuses a call without a client certificate as not trusted', async () => {
      const { policy, store, access } = harness({ access: FakeSocketAccess.restrictedUnix() });

      const error = await expectAuthError(policy.admit(caller()), 'not-trusted');

      expect(error.message).to.match(/^The client is not authenticated with the Multipass service\./);
      expect(store.size()).to.equal(0);
      expect(access.calls).to.deep.equal([]);
    });

    it('refuses a call without a client certificate even when other clients are trusted', async () => {
      const known = makeClientCertificate();
      const { policy } = harness({ access: FakeSocketAccess.openUnix(), store: new InMemoryCertStore([trusted(known)]) });

      await expectAuthError(policy.admit(caller()), 'not-trusted');
    });

    it('refuses an unknown certificate with the exact not-authenticated message', async () => {
      const { policy } = harness({
        access: FakeSocketAccess.openUnix(),
        store: new InMemoryCertStore([trusted(makeClientCertificate())]),
      });

      const error = await expectAuthError(policy.admit(caller(makeClientCertificate())), 'not-trusted');

      expect(error.message).to.equal(NOT_AUTHENTICATED_MESSAGE);
      expect(NOT_AUTHENTICATED_MESSAGE).to.equal(
        "The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.",
      );
    });

    it('admits a trusted certificate on every call', async () => {
      const known = makeClientCertificate();
      const { policy, store, access } = harness({
        access: FakeSocketAccess.openUnix(),
        store: new InMemoryCertStore([trusted(known)]),
      });

      for (let call = 0; call < 3; call += 1) {
        const principal = await policy.admit(caller(known));
        expect(principal).to.deep.equal({ fingerprint: known.fingerprint, via: 'trusted' });
      }
      expect(store.size()).to.equal(1);
      expect(access.calls).to.deep.equal([]);
    });

    it('admits a trusted certificate over tcp', async () => {
      const known = makeClientCertificate();
      const { policy } = harness({ access: FakeSocketAccess.tcp(), store: new InMemoryCertStore([trusted(known)]) });

      const principal = await policy.admit(caller(known, 'tcp'));

      expect(principal.via).to.equal('trusted');
    });

    it('bootstraps the first client on the restricted socket while the store is empty', async () => {
      const { policy, store, access } = harness({ access: FakeSocketAccess.restrictedUnix() });
      const first = makeClientCertificate();

      const principal = await policy.admit(caller(first));

      expect(principal).to.deep.equal({ fingerprint: first.fingerprint, via: 'bootstrap' });
      expect(certificatesOf(await store.list())).to.deep.equal([trusted(first)]);
      expect(access.calls).to.deep.equal(['open']);
      expect(access.isRestricted()).to.equal(false);
    });

    it('admits the bootstrapped client afterwards as trusted', async () => {
      const { policy } = harness({ access: FakeSocketAccess.restrictedUnix() });
      const first = makeClientCertificate();
      await policy.admit(caller(first));

      const principal = await policy.admit(caller(first));

      expect(principal.via).to.equal('trusted');
    });

    it('does not bootstrap over a transport the OS does not restrict', async () => {
      const { policy, store, access } = harness({ access: FakeSocketAccess.tcp() });

      await expectAuthError(policy.admit(caller(makeClientCertificate(), 'tcp')), 'not-trusted');

      expect(store.size()).to.equal(0);
      expect(access.calls).to.deep.equal([]);
    });

    it('restricts an open unix socket whose store is empty before any bootstrap, and bootstraps only an admin', async () => {
      const { policy, store, access } = harness({ access: FakeSocketAccess.openUnix() });

      await expectAuthError(policy.admit(caller(makeClientCertificate(), 'unix', NOBODY)), 'not-trusted');
      expect(store.size()).to.equal(0);
      expect(access.isRestricted()).to.equal(true);

      expect((await policy.admit(caller(makeClientCertificate()))).via).to.equal('bootstrap');
    });

    // Rule 4 read literally: TCP never bootstraps, whatever state the Unix socket is in.
    // DOUBTFUL / MAY FAIL: TrustPolicy looks only at SocketAccess, not at caller.transport.
    it('does not bootstrap a tcp caller even while the unix socket is restricted', async () => {
      const { policy, store } = harness({ access: FakeSocketAccess.restrictedUnix() });

      await expectAuthError(policy.admit(caller(makeClientCertificate(), 'tcp')), 'not-trusted');

      expect(store.size()).to.equal(0);
    });

    it('does not bootstrap when the store already holds a certificate, and opens the socket as rule 7 says', async () => {
      const admin = makeClientCertificate();
      const { policy, store, access } = harness({
        access: FakeSocketAccess.restrictedUnix(),
        store: new InMemoryCertStore([trusted(admin)]),
      });

      await expectAuthError(policy.admit(caller(makeClientCertificate())), 'not-trusted');

      expect(certificatesOf(await store.list())).to.deep.equal([trusted(admin)]);
      expect(access.calls).to.deep.equal(['open']);
    });

    it('bootstraps exactly one of two different first callers arriving together', async () => {
      const { policy, store } = harness({ access: FakeSocketAccess.restrictedUnix(), store: new SlowCertStore() });
      const alice = makeClientCertificate();
      const bob = makeClientCertificate();

      const outcomes = await Promise.allSettled([policy.admit(caller(alice)), policy.admit(caller(bob))]);

      const admitted = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(admitted).to.have.length(1);
      expect(refused).to.have.length(1);
      expect(AuthError.is(refused[0]?.reason, 'not-trusted')).to.equal(true);
      const winner = admitted[0]?.value;
      expect(winner?.via).to.equal('bootstrap');
      expect((await store.list()).map((c) => c.fingerprint)).to.deep.equal([winner?.fingerprint]);
    });

    it('admits the same first caller arriving twice together and stores it once', async () => {
      const { policy, store } = harness({ access: FakeSocketAccess.restrictedUnix(), store: new SlowCertStore() });
      const first = makeClientCertificate();

      const principals = await Promise.all([policy.admit(caller(first)), policy.admit(caller(first))]);

      expect(principals.map((p) => p.fingerprint)).to.deep.equal([first.fingerprint, first.fingerprint]);
      expect(principals.map((p) => p.via)).to.include('bootstrap');
      expect(certificatesOf(await store.list())).to.deep.equal([trusted(first)]);
    });

    it('refuses the bootstrap when the store cannot be written and keeps the socket restricted', async () => {
      const { policy, access } = harness({ access: FakeSocketAccess.restrictedUnix(), store: new UnwritableCertStore() });

      await expectAuthError(policy.admit(caller(makeClientCertificate())), 'store-unavailable');

      expect(access.isRestricted()).to.equal(true);
      expect(access.calls).to.deep.equal([]);
    });

    it('lets the next first caller bootstrap after a failed one', async () => {
      const { policy, store } = harness({ access: FakeSocketAccess.restrictedUnix() });
      const first = makeClientCertificate();
      const second = makeClientCertificate();
      let fail = true;
      const add = store.add.bind(store);
      store.add = async (cert) => {
        if (fail) {
          fail = false;
          throw new AuthError('store-unavailable', 'disk full');
        }
        return add(cert);
      };

      await expectAuthError(policy.admit(caller(first)), 'store-unavailable');
      const principal = await policy.admit(caller(second));

      expect(principal).to.deep.equal({ fingerprint: second.fingerprint, via: 'bootstrap' });
    });

    it('admits a client trusted by another process since the store was loaded, without a restart', async () => {
      const shared: TrustedCertificate[] = [];
      // Stands for a file or database that `multipassd trust add` writes from another process.
      class SharedBackingStore extends InMemoryCertStore {
        override async refresh(): Promise<void> {
          for (const cert of shared) await super.add(cert);
        }
      }
      const h = harness({ access: FakeSocketAccess.openUnix(), store: new SharedBackingStore([trusted(makeClientCertificate())]) });
      const latecomer = makeClientCertificate();
      await expectAuthError(h.policy.admit(caller(latecomer)), 'not-trusted');
      shared.push(trusted(latecomer));
      expect(await h.policy.admit(caller(latecomer))).to.deep.equal({ fingerprint: latecomer.fingerprint, via: 'trusted' });
    });

    it('admits a trusted certificate whatever its validity dates: a stored certificate is a pin, as in Multipass', async () => {
      const { policy, clock, store } = harness({ access: FakeSocketAccess.openUnix() });
      const expired = makeClientCertificate({
        notBefore: new Date(clock.now().getTime() - 10 * DAY),
        notAfter: new Date(clock.now().getTime() - 1),
      });
      const early = makeClientCertificate({ notBefore: new Date(clock.now().getTime() + DAY) });
      await store.add(trusted(expired));
      await store.add(trusted(early));

      expect((await policy.admit(caller(expired))).via).to.equal('trusted');
      expect((await policy.admit(caller(early))).via).to.equal('trusted');
    });

    it('refuses certificates outside their dates when the admin asks for it, and admits them once inside', async () => {
      const { policy, clock, store } = harness({ access: FakeSocketAccess.openUnix(), rejectExpired: true });
      const expired = makeClientCertificate({ notAfter: new Date(clock.now().getTime() - 1) });
      const later = makeClientCertificate({
        notBefore: new Date(clock.now().getTime() + DAY),
        notAfter: new Date(clock.now().getTime() + 10 * DAY),
      });
      await store.add(trusted(expired));
      await store.add(trusted(later));

      await expectAuthError(policy.admit(caller(expired)), 'invalid-certificate');
      await expectAuthError(policy.admit(caller(later)), 'invalid-certificate');
      clock.advance(2 * DAY);
      expect((await policy.admit(caller(later))).via).to.equal('trusted');
    });

    it('does not bootstrap an expired certificate when the admin refuses expired ones', async () => {
      const { policy, store, access, clock } = harness({ access: FakeSocketAccess.restrictedUnix(), rejectExpired: true });
      const expired = makeClientCertificate({ notAfter: new Date(clock.now().getTime() - DAY) });

      await expectAuthError(policy.admit(caller(expired)), 'invalid-certificate');

      expect(store.size()).to.equal(0);
      expect(access.isRestricted()).to.equal(true);
    });

    it('never bootstraps on a verify-only call (ping), even as the first admin on an empty restricted store', async () => {
      const { policy, store, access } = harness({ access: FakeSocketAccess.restrictedUnix() });
      const first = makeClientCertificate();

      await expectAuthError(policy.admit(caller(first), { bootstrap: false }), 'not-trusted');

      expect(store.size()).to.equal(0);
      expect(access.isRestricted()).to.equal(true);
      expect((await policy.admit(caller(first))).via, 'the next other call bootstraps').to.equal('bootstrap');
    });

    it('refuses to bootstrap a peer that is neither root nor in the admin group, even on the restricted socket', async () => {
      const { policy, store, access, logger } = harness({ access: FakeSocketAccess.restrictedUnix() });
      const intruder = makeClientCertificate();

      await expectAuthError(policy.admit(caller(intruder, 'unix', NOBODY)), 'not-trusted');

      expect(store.size()).to.equal(0);
      expect(access.isRestricted()).to.equal(true);
      const warning = logger.lines.find((line) => line.level === 'warn');
      expect(warning?.fields).to.deep.include({ fingerprint: intruder.fingerprint });
      expect(warning?.fields?.peer).to.deep.include({ uid: 65534, user: 'nobody' });
    });

    it('refuses to bootstrap a peer the OS could not identify', async () => {
      const { policy, store } = harness({ access: FakeSocketAccess.restrictedUnix() });

      await expectAuthError(policy.admit(caller(makeClientCertificate(), 'unix', { kind: 'unknown' })), 'not-trusted');

      expect(store.size()).to.equal(0);
    });

    it('refuses a bootstrap that races a trust granted by another process between its checks, and stores nothing', async () => {
      const other = trusted(makeClientCertificate());
      let refreshes = 0;
      // The first look (outside the bootstrap lock) sees an empty store; another process then
      // trusts a certificate (`multipassd trust add`) before the look inside the lock.
      class RacingStore extends InMemoryCertStore {
        override async refresh(): Promise<void> {
          refreshes += 1;
          if (refreshes === 2) await super.add(other);
        }
      }
      const { policy, store } = harness({ access: FakeSocketAccess.restrictedUnix(), store: new RacingStore() });
      const caller1 = makeClientCertificate();

      await expectAuthError(policy.admit(caller(caller1)), 'not-trusted');

      expect(store.contains(caller1.fingerprint)).to.equal(false);
      expect((await store.list()).map((c) => c.fingerprint)).to.deep.equal([other.fingerprint]);
    });
  });

  describe('enrol', () => {
    it('refuses when no passphrase is set, with the exact message, and stores nothing', async () => {
      const { policy, store, access } = harness({ access: FakeSocketAccess.openUnix() });

      const error = await expectAuthError(policy.enrol(caller(makeClientCertificate()), 'anything'), 'no-passphrase-set');

      expect(error.message).to.equal(NOT_SET_MESSAGE);
      expect(store.size()).to.equal(0);
      expect(access.calls).to.deep.equal([]);
    });

    it('refuses a wrong passphrase, with the exact message, and stores nothing', async () => {
      const { policy, store, vault, access } = harness({ access: FakeSocketAccess.openUnix() });
      await vault.set('correct horse battery staple');

      const error = await expectAuthError(policy.enrol(caller(makeClientCertificate()), 'Tr0ub4dor&3'), 'passphrase-mismatch');

      expect(error.message).to.equal(MISMATCH_MESSAGE);
      expect(store.size()).to.equal(0);
      expect(access.calls).to.deep.equal([]);
    });

    it('trusts the caller that gives the right passphrase and opens the socket', async () => {
      const { policy, store, vault, access } = harness({ access: FakeSocketAccess.restrictedUnix() });
      await vault.set('correct horse battery staple');
      const newcomer = makeClientCertificate();

      const principal = await policy.enrol(caller(newcomer), 'correct horse battery staple');

      expect(principal).to.deep.equal({ fingerprint: newcomer.fingerprint, via: 'passphrase' });
      expect(certificatesOf(await store.list())).to.deep.equal([trusted(newcomer)]);
      expect(access.calls).to.deep.equal(['open']);
      expect(access.isRestricted()).to.equal(false);
    });

    it('admits an enrolled caller on later calls', async () => {
      const { policy, vault } = harness({ access: FakeSocketAccess.tcp() });
      await vault.set('correct horse battery staple');
      const newcomer = makeClientCertificate();
      await policy.enrol(caller(newcomer, 'tcp'), 'correct horse battery staple');

      expect((await policy.admit(caller(newcomer, 'tcp'))).via).to.equal('trusted');
    });

    it('refuses a caller without a certificate as not trusted, whatever the passphrase', async () => {
      const { policy, store, vault } = harness({ access: FakeSocketAccess.openUnix() });
      await vault.set('correct horse battery staple');

      await expectAuthError(policy.enrol(caller(), 'correct horse battery staple'), 'not-trusted');

      expect(store.size()).to.equal(0);
    });

    it('refuses an expired certificate even with the right passphrase when the admin refuses expired ones', async () => {
      const { policy, store, vault, clock } = harness({ access: FakeSocketAccess.openUnix(), rejectExpired: true });
      await vault.set('correct horse battery staple');
      const expired = makeClientCertificate({ notAfter: new Date(clock.now().getTime() - DAY) });

      await expectAuthError(policy.enrol(caller(expired), 'correct horse battery staple'), 'invalid-certificate');

      expect(store.size()).to.equal(0);
    });

    it('logs every refused attempt at info with the certificate and the peer, never the passphrase', async () => {
      const { policy, vault, logger } = harness({ access: FakeSocketAccess.openUnix() });
      await vault.set('correct horse battery staple');
      const guesser = makeClientCertificate();

      await expectAuthError(policy.enrol(caller(guesser, 'unix', NOBODY), 'open sesame'), 'passphrase-mismatch');

      const refusal = logger.lines.find((line) => line.level === 'info' && line.message === 'refused an enrolment');
      expect(refusal?.fields).to.deep.include({ reason: 'passphrase-mismatch', fingerprint: guesser.fingerprint });
      expect(refusal?.fields?.peer).to.deep.include({ uid: 65534, user: 'nobody' });
      expect(logger.text()).to.not.include('open sesame');
    });

    it('never logs the passphrase', async () => {
      const { policy, vault, logger } = harness({ access: FakeSocketAccess.openUnix() });
      await vault.set('correct horse battery staple');
      await authErrorOf(policy.enrol(caller(makeClientCertificate(), 'unix', NOBODY), 'wrong guess here'));
      await policy.enrol(caller(makeClientCertificate()), 'correct horse battery staple');

      expect(logger.lines).to.not.have.length(0);
      expect(logger.text()).to.not.include('correct horse battery staple');
      expect(logger.text()).to.not.include('wrong guess here');
    });
  });

  describe('resync', () => {
    it('opens the socket once another process trusts someone, and restricts it again when nobody is left', async () => {
      const shared: TrustedCertificate[] = [];
      class SharedBackingStore extends InMemoryCertStore {
        override async refresh(): Promise<void> {
          for (const cert of await this.list()) if (!shared.some((s) => s.fingerprint === cert.fingerprint)) await this.remove(cert.fingerprint);
          for (const cert of shared) await this.add(cert);
        }
      }
      const access = FakeSocketAccess.restrictedUnix();
      const h = harness({ access, store: new SharedBackingStore() });
      await h.policy.applyStartupAccess();
      shared.push(trusted(makeClientCertificate()));
      await h.policy.resync();
      expect(access.isRestricted()).to.equal(false);
      shared.pop();
      await h.policy.resync();
      expect(h.store.size()).to.equal(0);
      expect(access.isRestricted(), 'restricted again, so an admin can bootstrap without a restart').to.equal(true);
      // A non-admin who connected through the open socket still cannot bootstrap itself...
      await expectAuthError(h.policy.admit(caller(makeClientCertificate(), 'unix', NOBODY)), 'not-trusted');
      expect(h.store.size()).to.equal(0);
      // ...but an admin can.
      expect((await h.policy.admit(caller(makeClientCertificate()))).via).to.equal('bootstrap');
    });
  });

  describe('applyStartupAccess', () => {
    it('restricts the socket when the store is empty', async () => {
      const { policy, access } = harness({ access: FakeSocketAccess.openUnix() });

      await policy.applyStartupAccess();

      expect(access.calls).to.deep.equal(['restrict']);
      expect(access.isRestricted()).to.equal(true);
    });

    it('opens the socket when the store already holds a certificate', async () => {
      const { policy, access } = harness({
        access: FakeSocketAccess.restrictedUnix(),
        store: new InMemoryCertStore([trusted(makeClientCertificate())]),
      });

      await policy.applyStartupAccess();

      expect(access.calls).to.deep.equal(['open']);
      expect(access.isRestricted()).to.equal(false);
    });
  });
});
