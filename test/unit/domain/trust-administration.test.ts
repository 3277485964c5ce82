import { expect } from 'chai';
import { InMemoryAuditLog } from '../../../src/adapters/audit/in-memory-audit-log.js';
import { InMemoryCertStore } from '../../../src/adapters/stores/in-memory-cert-store.js';
import { AuditTrail } from '../../../src/domain/audit-trail.js';
import { LastSeenTracker } from '../../../src/domain/last-seen-tracker.js';
import { TrustAdministration } from '../../../src/domain/trust-administration.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakeOpenConnections } from '../../support/fakes/fake-open-connections.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { NullLogger } from '../../support/fakes/null-logger.js';

const ROOT = { uid: 0, user: 'root', sudoUser: 'alice' };

describe('TrustAdministration', () => {
  const cert = makeClientCertificate();
  const certificate = { fingerprint: cert.fingerprint, pem: cert.pem };
  let store: InMemoryCertStore;
  let log: InMemoryAuditLog;
  let clock: FakeClock;
  let admin: TrustAdministration;

  beforeEach(() => {
    store = new InMemoryCertStore();
    log = new InMemoryAuditLog();
    clock = new FakeClock();
    admin = new TrustAdministration(store, new AuditTrail(log, clock, new FakeScheduler(clock), new NullLogger()), clock);
  });

  it('adds a certificate as the admin, now, with its label, and audits it with the admin', async () => {
    expect(await admin.add(certificate, { actor: ROOT, label: 'ci runner' })).to.deep.equal({ changed: true, added: true });
    expect((await store.list())[0]?.provenance).to.deep.equal({ via: 'admin', at: clock.now(), uid: 0, user: 'root', label: 'ci runner' });
    expect(log.events).to.deep.equal([
      { time: clock.now(), event: 'trust.add', outcome: 'ok', fingerprint: cert.fingerprint, via: 'admin', label: 'ci runner', peer: ROOT },
    ]);
  });

  it('records an import as such', async () => {
    await admin.add(certificate, { via: 'import' });
    expect((await store.list())[0]?.provenance.via).to.equal('import');
    expect(log.events[0]).to.deep.include({ event: 'trust.import', via: 'import' });
  });

  it('leaves a certificate trusted already as it was, but for a new label, and audits only what changed', async () => {
    await admin.add(certificate, { actor: ROOT });
    clock.advance(60_000);
    expect(await admin.add(certificate, { actor: ROOT })).to.deep.equal({ changed: false, added: false });
    expect(await admin.add(certificate, { actor: ROOT, label: 'renamed' })).to.deep.equal({ changed: true, added: false });
    expect((await store.list())[0]?.provenance).to.include({ label: 'renamed' });
    expect((await store.list())[0]?.provenance.at).to.deep.equal(new Date(clock.now().getTime() - 60_000));
    expect(log.events.map((event) => event.event)).to.deep.equal(['trust.add', 'trust.label']);
  });

  it('removes and labels only trusted certificates, auditing each change', async () => {
    expect(await admin.remove(cert.fingerprint, ROOT)).to.deep.equal({ changed: false, connectionsClosed: 0 });
    expect(await admin.label(cert.fingerprint, 'x', ROOT)).to.deep.equal({ changed: false });
    await admin.add(certificate);
    expect(await admin.label(cert.fingerprint, ' build box ', ROOT)).to.deep.equal({ changed: true });
    expect(await admin.label(cert.fingerprint, undefined, ROOT)).to.deep.equal({ changed: true });
    expect(await admin.remove(cert.fingerprint, ROOT)).to.deep.equal({ changed: true, connectionsClosed: 0 });
    expect(log.events.map((event) => [event.event, event.label])).to.deep.equal([
      ['trust.add', undefined],
      ['trust.label', 'build box'],
      ['trust.label', undefined],
      ['trust.remove', undefined],
    ]);
    expect(store.size()).to.equal(0);
  });

  it('makes the change even when the audit log cannot be written, and says why', async () => {
    log.failure = 'read-only file system';
    const outcome = await admin.add(certificate, { actor: ROOT });
    expect(outcome).to.include({ changed: true, added: true });
    expect(outcome.auditProblem).to.contain('read-only file system');
    expect((await admin.remove(cert.fingerprint, ROOT)).changed).to.equal(true);
    expect(store.size()).to.equal(0);
  });

  describe('in the running daemon', () => {
    let seen: LastSeenTracker;
    let connections: FakeOpenConnections;
    let live: TrustAdministration;

    beforeEach(() => {
      seen = new LastSeenTracker(store, clock, new NullLogger());
      connections = new FakeOpenConnections();
      live = new TrustAdministration(store, new AuditTrail(log, clock, new FakeScheduler(clock), new NullLogger()), clock, { seen, connections });
    });

    it('ends the open connections of a removed certificate at once, and only its own', async () => {
      const other = makeClientCertificate();
      await live.add(certificate);
      await live.add({ fingerprint: other.fingerprint, pem: other.pem });
      connections.connect(cert.fingerprint, 2).connect(other.fingerprint);
      expect(await live.remove(cert.fingerprint, ROOT)).to.deep.equal({ changed: true, connectionsClosed: 2 });
      expect(connections.closed).to.deep.equal([cert.fingerprint]);
      expect(connections.fingerprints()).to.deep.equal([other.fingerprint]);
    });

    it('lists and shows last-seen times as fresh as the daemon noted them, before they are written', async () => {
      await live.add(certificate);
      clock.advance(30_000);
      seen.note(cert.fingerprint);
      expect((await store.list())[0]?.lastSeen, 'not written yet').to.equal(undefined);
      expect((await live.list())[0]?.lastSeen).to.deep.equal(clock.now());
      expect((await live.show(cert.fingerprint))?.lastSeen).to.deep.equal(clock.now());
    });

    it('shows one record, or nothing for a certificate that is not trusted', async () => {
      expect(await live.show(cert.fingerprint)).to.equal(undefined);
      await live.add(certificate, { actor: ROOT, label: 'ci' });
      expect((await live.show(cert.fingerprint))?.provenance).to.deep.include({ via: 'admin', label: 'ci', uid: 0 });
    });
  });
});
