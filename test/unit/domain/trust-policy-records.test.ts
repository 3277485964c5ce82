import { expect } from 'chai';
import { InMemoryAuditLog } from '../../../src/adapters/audit/in-memory-audit-log.js';
import { InMemoryCertStore } from '../../../src/adapters/stores/in-memory-cert-store.js';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import { InMemoryTokenStore } from '../../../src/adapters/stores/in-memory-token-store.js';
import { AuditTrail } from '../../../src/domain/audit-trail.js';
import type { Caller } from '../../../src/domain/caller.js';
import type { ClientCertificate } from '../../../src/domain/client-certificate.js';
import { DEFAULT_THROTTLE, EnrolmentThrottle, type ThrottleSettings } from '../../../src/domain/enrolment-throttle.js';
import { EnrolmentTokens } from '../../../src/domain/enrolment-tokens.js';
import { LastSeenTracker } from '../../../src/domain/last-seen-tracker.js';
import { PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import type { Peer } from '../../../src/domain/peer.js';
import type { SeenTimes } from '../../../src/domain/trust-record.js';
import { TrustPolicy } from '../../../src/domain/trust-policy.js';
import { expectAuthError } from '../../support/expect-auth-error.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { FakeSocketAccess } from '../../support/fakes/fake-socket-access.js';
import { FakeTokenSecrets } from '../../support/fakes/fake-token-secrets.js';
import { FakeUserDirectory } from '../../support/fakes/fake-user-directory.js';
import { NullLogger } from '../../support/fakes/null-logger.js';

const ALICE: Peer = { kind: 'unix', uid: 1000, gid: 1000, pid: 4242 };
const NOBODY: Peer = { kind: 'unix', uid: 65534, gid: 65534, pid: 4343 };
const LOOPBACK: Peer = { kind: 'tcp', address: '127.0.0.1' };
const MISMATCH = 'Passphrase is not correct. Please try again.';

/** Counts writes of last-seen times: a trusted call must cause none. */
class SeenCountingStore extends InMemoryCertStore {
  seenWrites = 0;

  override async recordSeen(seen: SeenTimes): Promise<void> {
    this.seenWrites += 1;
    await super.recordSeen(seen);
  }
}

function harness(options: { access?: FakeSocketAccess; throttle?: ThrottleSettings } = {}) {
  const clock = new FakeClock();
  const scheduler = new FakeScheduler(clock);
  const store = new SeenCountingStore();
  const settings = new InMemorySettingsStore();
  const vault = new PassphraseVault(settings, new FakePassphraseHasher());
  const log = new InMemoryAuditLog();
  const audit = new AuditTrail(log, clock, scheduler, new NullLogger());
  const tokens = new EnrolmentTokens(new InMemoryTokenStore(), new FakeTokenSecrets(), clock, audit);
  const throttle = new EnrolmentThrottle(clock, scheduler, options.throttle ?? DEFAULT_THROTTLE);
  const seen = new LastSeenTracker(store, clock, new NullLogger());
  const access = options.access ?? FakeSocketAccess.openUnix();
  const policy = new TrustPolicy({
    store,
    access,
    vault,
    throttle,
    users: new FakeUserDirectory(),
    clock,
    logger: new NullLogger(),
    tokens,
    audit,
    seen,
  });
  return { clock, scheduler, store, vault, log, tokens, throttle, seen, access, policy };
}

const caller = (certificate: ClientCertificate, peer: Peer = ALICE): Caller => ({ transport: peer.kind === 'tcp' ? 'tcp' : 'unix', peer, certificate });


describe('TrustPolicy records, audit and tokens', () => {
  describe('provenance', () => {
    it('records a bootstrap with the uid and account name the socket reported', async () => {
      const { policy, store, clock, log } = harness({ access: FakeSocketAccess.restrictedUnix() });
      const admin = makeClientCertificate();
      await policy.admit(caller(admin));
      expect((await store.list())[0]?.provenance).to.deep.equal({ via: 'bootstrap', at: clock.now(), uid: 1000, user: 'alice' });
      expect(log.events).to.deep.equal([
        {
          time: clock.now(),
          event: 'trust.bootstrap',
          outcome: 'ok',
          fingerprint: admin.fingerprint,
          via: 'bootstrap',
          peer: { uid: 1000, user: 'alice', pid: 4242 },
        },
      ]);
    });

    it('records an enrolment by passphrase with the peer, and over TCP without a uid', async () => {
      const { policy, store, vault, clock, log } = harness({ access: FakeSocketAccess.tcp() });
      await vault.set('s3cret');
      const overUnix = makeClientCertificate();
      const overTcp = makeClientCertificate();
      expect((await policy.enrol(caller(overUnix), 's3cret')).via).to.equal('passphrase');
      await policy.enrol(caller(overTcp, LOOPBACK), 's3cret');
      const records = await store.list();
      expect(records.map((record) => record.provenance)).to.deep.equal([
        { via: 'passphrase', at: clock.now(), uid: 1000, user: 'alice' },
        { via: 'passphrase', at: clock.now() },
      ]);
      expect(log.events.map((event) => [event.event, event.via, event.peer])).to.deep.equal([
        ['trust.enrol', 'passphrase', { uid: 1000, user: 'alice', pid: 4242 }],
        ['trust.enrol', 'passphrase', { address: '127.0.0.1' }],
      ]);
      expect(JSON.stringify(log.events)).not.to.contain('s3cret');
    });
  });

  describe('enrolment tokens', () => {
    it('enrols with a token when no passphrase is set, labelling the client with the token label', async () => {
      const { policy, store, tokens, vault, clock, log } = harness();
      expect(await vault.isSet()).to.equal(false);
      const { text, view } = await tokens.issue({ label: "bob's laptop" });
      const bob = makeClientCertificate();
      expect(await policy.enrol(caller(bob), text)).to.deep.equal({ fingerprint: bob.fingerprint, via: 'token' });
      expect((await store.list())[0]?.provenance).to.deep.equal({ via: 'token', at: clock.now(), uid: 1000, user: 'alice', label: "bob's laptop" });
      expect(log.events.at(-1)).to.deep.include({ event: 'trust.enrol', via: 'token', tokenId: view.id, label: "bob's laptop" });
      expect(JSON.stringify(log.events)).not.to.contain(text);
    });

    it('refuses a second use, and an unknown, expired or revoked token, as a wrong passphrase', async () => {
      const { policy, tokens, clock, log, store } = harness();
      const used = await tokens.issue({});
      const expiring = await tokens.issue({ ttlMs: 1000 });
      const revoked = await tokens.issue({});
      await tokens.revoke(revoked.view.id);
      await policy.enrol(caller(makeClientCertificate()), used.text);
      clock.advance(1000);
      const attempts = [used.text, `mpt-${'q'.repeat(32)}`, expiring.text, revoked.text];
      for (const text of attempts) {
        const error = await expectAuthError(policy.enrol(caller(makeClientCertificate(), { ...ALICE, uid: 2000 + attempts.indexOf(text) }), text), 'passphrase-mismatch');
        expect(error.message).to.equal(MISMATCH);
      }
      expect(store.size()).to.equal(1);
      const refusals = log.events.filter((event) => event.event === 'trust.enrol.refused');
      expect(refusals.map((event) => [event.reason, event.tokenId])).to.deep.equal([
        ['token-used', used.view.id],
        ['token-unknown', undefined],
        ['token-expired', expiring.view.id],
        ['token-revoked', revoked.view.id],
      ]);
      for (const text of attempts) expect(JSON.stringify(log.events)).not.to.contain(text.slice(4));
    });

    it('counts a wrong token as a wrong guess in the throttle', async () => {
      const { policy, throttle } = harness();
      await expectAuthError(policy.enrol(caller(makeClientCertificate()), `mpt-${'q'.repeat(32)}`), 'passphrase-mismatch');
      expect(throttle.recentFailures(ALICE)).to.equal(1);
    });

    it('tries a token-shaped secret only as a token, and anything else as the passphrase, even one starting with mpt-', async () => {
      const { policy, vault } = harness();
      await vault.set('mpt-my-old-passphrase');
      expect((await policy.enrol(caller(makeClientCertificate()), 'mpt-my-old-passphrase')).via).to.equal('passphrase');
      await vault.set(`mpt-${'a'.repeat(32)}`);
      await expectAuthError(policy.enrol(caller(makeClientCertificate()), `mpt-${'a'.repeat(32)}`), 'passphrase-mismatch');
    });

    it('lets exactly one of two clients enrolling with one token at once in', async () => {
      const { policy, tokens, store } = harness();
      const { text } = await tokens.issue({});
      const outcomes = await Promise.allSettled([
        policy.enrol(caller(makeClientCertificate()), text),
        policy.enrol(caller(makeClientCertificate(), { ...ALICE, uid: 1001 }), text),
      ]);
      expect(outcomes.map((outcome) => outcome.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
      expect(store.size()).to.equal(1);
    });
  });

  describe('audit', () => {
    it('audits a wrong passphrase with its reason and peer, one line per guess', async () => {
      const { policy, vault, log, scheduler } = harness();
      await vault.set('right');
      const cert = makeClientCertificate();
      await expectAuthError(policy.enrol(caller(cert), 'wrong-1'), 'passphrase-mismatch');
      await scheduler.advance(2000);
      await expectAuthError(policy.enrol(caller(cert), 'wrong-2'), 'passphrase-mismatch');
      const refusals = log.events.filter((event) => event.event === 'trust.enrol.refused');
      expect(refusals).to.have.length(2);
      expect(refusals[0]).to.deep.include({ outcome: 'refused', reason: 'passphrase-mismatch', fingerprint: cert.fingerprint, via: 'passphrase' });
      expect(JSON.stringify(log.events)).not.to.contain('wrong-');
    });

    it('audits refusals a client can repeat at any rate (throttled, no passphrase set) once a minute per peer, with a count', async () => {
      const { policy, log, scheduler } = harness();
      for (let i = 0; i < 20; i += 1) await expectAuthError(policy.enrol(caller(makeClientCertificate()), 'anything'), 'no-passphrase-set');
      expect(log.events).to.have.length(1);
      expect(log.events[0]).to.deep.include({ event: 'trust.enrol.refused', reason: 'no-passphrase-set' });
      await scheduler.advance(60_000);
      expect(log.events).to.have.length(2);
      expect(log.events[1]).to.deep.include({ reason: 'no-passphrase-set', repeats: 18 });
    });

    it('audits a refused bootstrap of a caller outside the admin group, once a minute per peer', async () => {
      const { policy, log } = harness({ access: FakeSocketAccess.restrictedUnix() });
      for (let i = 0; i < 5; i += 1) await expectAuthError(policy.admit(caller(makeClientCertificate(), NOBODY)), 'not-trusted');
      expect(log.events).to.have.length(1);
      expect(log.events[0]).to.deep.include({
        event: 'trust.bootstrap.refused',
        outcome: 'refused',
        reason: 'not-admin',
        peer: { uid: 65534, user: 'nobody', pid: 4343 },
      });
    });

    it('enrols even when the audit log cannot be written', async () => {
      const { policy, vault, log, store } = harness();
      await vault.set('right');
      log.failure = 'disk full';
      await policy.enrol(caller(makeClientCertificate()), 'right');
      expect(store.size()).to.equal(1);
    });
  });

  describe('last seen', () => {
    it('notes a trusted caller in memory on every call, writing nothing until a flush', async () => {
      const { policy, store, seen, clock } = harness();
      const known = makeClientCertificate();
      await store.add({ fingerprint: known.fingerprint, pem: known.pem });
      for (let call = 0; call < 100; call += 1) {
        clock.advance(1000);
        await policy.admit(caller(known));
      }
      expect(store.seenWrites).to.equal(0);
      expect(seen.noted(known.fingerprint)).to.deep.equal(clock.now());
      await seen.flush();
      expect((await store.list())[0]?.lastSeen).to.deep.equal(clock.now());
    });

    it('notes the bootstrapping call, and never a refused one', async () => {
      const { policy, seen, clock } = harness({ access: FakeSocketAccess.restrictedUnix() });
      const admin = makeClientCertificate();
      const stranger = makeClientCertificate();
      await policy.admit(caller(admin));
      await expectAuthError(policy.admit(caller(stranger)), 'not-trusted');
      expect(seen.noted(admin.fingerprint)).to.deep.equal(clock.now());
      expect(seen.noted(stranger.fingerprint)).to.equal(undefined);
    });
  });
});
