import { expect } from 'chai';
import { InMemoryAuditLog } from '../../../src/adapters/audit/in-memory-audit-log.js';
import { InMemoryCertStore } from '../../../src/adapters/stores/in-memory-cert-store.js';
import { InMemorySettingsStore } from '../../../src/adapters/stores/in-memory-settings-store.js';
import { InMemoryTokenStore } from '../../../src/adapters/stores/in-memory-token-store.js';
import { AdminPeers } from '../../../src/domain/admin-peers.js';
import { AuditTrail } from '../../../src/domain/audit-trail.js';
import type { Caller } from '../../../src/domain/caller.js';
import { CLIENT_STATUS_CACHE_MS, ClientStatus } from '../../../src/domain/client-status.js';
import { EnrolmentTokens } from '../../../src/domain/enrolment-tokens.js';
import { PassphraseVault } from '../../../src/domain/passphrase-vault.js';
import type { Peer } from '../../../src/domain/peer.js';
import type { Provenance } from '../../../src/domain/trust-record.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakePassphraseHasher } from '../../support/fakes/fake-passphrase-hasher.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { FakeSocketAccess } from '../../support/fakes/fake-socket-access.js';
import { FakeTokenSecrets } from '../../support/fakes/fake-token-secrets.js';
import { FakeUserDirectory } from '../../support/fakes/fake-user-directory.js';
import { NullLogger } from '../../support/fakes/null-logger.js';

const BOB: Peer = { kind: 'unix', uid: 1001, gid: 1001, pid: 7 };
const ALICE: Peer = { kind: 'unix', uid: 1000, gid: 1000, pid: 8 };

describe('ClientStatus (whoami)', () => {
  let clock: FakeClock;
  let store: InMemoryCertStore;
  let vault: PassphraseVault;
  let tokens: EnrolmentTokens;
  let access: FakeSocketAccess;
  let status: ClientStatus;
  const mine = makeClientCertificate();
  const caller = (peer: Peer, certificate = mine): Caller => ({ transport: 'unix', peer, certificate });

  beforeEach(() => {
    clock = new FakeClock();
    store = new InMemoryCertStore();
    vault = new PassphraseVault(new InMemorySettingsStore(), new FakePassphraseHasher());
    const audit = new AuditTrail(new InMemoryAuditLog(), clock, new FakeScheduler(clock), new NullLogger());
    tokens = new EnrolmentTokens(new InMemoryTokenStore(), new FakeTokenSecrets(), clock, audit);
    access = FakeSocketAccess.openUnix();
    const admins = new AdminPeers(new FakeUserDirectory(undefined, { uids: [0, 1000] }));
    status = new ClientStatus({ store, vault, tokens, access, admins, clock });
  });

  it('tells an untrusted client that nobody can enrol while no passphrase is set and no token is active (#2552)', async () => {
    await store.add(makeClientCertificate(), { via: 'bootstrap', at: clock.now(), uid: 1000 });
    expect(await status.of(caller(BOB))).to.deep.equal({
      fingerprint: mine.fingerprint,
      trusted: false,
      passphraseSet: false,
      tokensActive: false,
      admin: false,
      bootstrapOpen: false,
    });
  });

  it('says enrolment is possible once a passphrase is set, or a token is active', async () => {
    await vault.set('s3cret');
    expect(await status.of(caller(BOB))).to.include({ passphraseSet: true, tokensActive: false });
    await vault.set('');
    await tokens.issue({});
    clock.advance(CLIENT_STATUS_CACHE_MS);
    expect(await status.of(caller(BOB))).to.include({ passphraseSet: false, tokensActive: true });
  });

  it('tells a trusted client how and since when, and reads the records again for one that just enrolled', async () => {
    await status.of(caller(BOB));
    const provenance: Provenance = { via: 'passphrase', at: clock.now(), uid: 1001, user: 'bob', label: 'laptop' };
    await store.add(mine, provenance);
    expect(await status.of(caller(BOB))).to.deep.include({ trusted: true, provenance });
  });

  it("points out this uid's other enrolled certificate (its client certificate was replaced), never another user's or an admin's", async () => {
    const old = makeClientCertificate();
    await store.add(old, { via: 'passphrase', at: clock.now(), uid: 1001 });
    await store.add(makeClientCertificate(), { via: 'passphrase', at: clock.now(), uid: 1000 });
    await store.add(makeClientCertificate(), { via: 'admin', at: clock.now(), uid: 1001 });
    const report = await status.of(caller(BOB));
    expect(report.otherCertificate?.fingerprint).to.equal(old.fingerprint);
    expect(report.otherCertificate?.provenance.via).to.equal('passphrase');
    expect(await status.of({ transport: 'tcp', peer: { kind: 'tcp', address: '127.0.0.0/8' }, certificate: mine })).not.to.have.property('otherCertificate');
  });

  it('says an admin on the restricted socket of an empty store would be trusted by its first command', async () => {
    access = FakeSocketAccess.restrictedUnix();
    status = new ClientStatus({ store, vault, tokens, access, admins: new AdminPeers(new FakeUserDirectory()), clock });
    expect(await status.of(caller(ALICE))).to.include({ admin: true, bootstrapOpen: true });
    expect(await status.of(caller(BOB))).to.include({ admin: false, bootstrapOpen: false });
  });

  it('reads the store at most once per cache period, however often it is asked', async () => {
    let lists = 0;
    const list = store.list.bind(store);
    store.list = async () => {
      lists += 1;
      return list();
    };
    for (let i = 0; i < 20; i += 1) await status.of(caller(BOB));
    expect(lists).to.equal(1);
    clock.advance(CLIENT_STATUS_CACHE_MS);
    await status.of(caller(BOB));
    expect(lists).to.equal(2);
  });

  it("sees a certificate trusted within the cache period: a user's replaced certificate right after its first one got in", async () => {
    const old = makeClientCertificate();
    expect(await status.of(caller(BOB, old))).to.include({ trusted: false });
    await store.add(old, { via: 'bootstrap', at: clock.now(), uid: 1001 });
    expect((await status.of(caller(BOB))).otherCertificate?.fingerprint).to.equal(old.fingerprint);
  });

  it('answers a client without a certificate as untrusted, with no fingerprint', async () => {
    const report = await status.of({ transport: 'unix', peer: BOB });
    expect(report.trusted).to.equal(false);
    expect(report).not.to.have.property('fingerprint');
  });
});
