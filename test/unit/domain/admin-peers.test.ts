import { expect } from 'chai';
import { InMemoryAuditLog } from '../../../src/adapters/audit/in-memory-audit-log.js';
import { AdminPeers } from '../../../src/domain/admin-peers.js';
import { AuditTrail } from '../../../src/domain/audit-trail.js';
import type { Caller } from '../../../src/domain/caller.js';
import type { Peer } from '../../../src/domain/peer.js';
import { expectAuthError } from '../../support/expect-auth-error.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { FakeUserDirectory } from '../../support/fakes/fake-user-directory.js';
import { NullLogger } from '../../support/fakes/null-logger.js';

const ROOT: Peer = { kind: 'unix', uid: 0, gid: 0, pid: 10 };
const ALICE: Peer = { kind: 'unix', uid: 1000, gid: 1000, pid: 11 };
const NOBODY: Peer = { kind: 'unix', uid: 65534, gid: 65534, pid: 12 };
const LOOPBACK: Peer = { kind: 'tcp', address: '127.0.0.0/8' };

describe('AdminPeers', () => {
  let log: InMemoryAuditLog;
  let admins: AdminPeers;
  // Anyone can mint a certificate: the one shown must not matter.
  const certificate = makeClientCertificate();
  const caller = (peer: Peer, transport: Caller['transport'] = 'unix'): Caller => ({ transport, peer, certificate });

  beforeEach(() => {
    const clock = new FakeClock();
    log = new InMemoryAuditLog();
    const audit = new AuditTrail(log, clock, new FakeScheduler(clock), new NullLogger());
    admins = new AdminPeers(new FakeUserDirectory(), { adminGroup: 'sudo', audit });
  });

  it('lets in root and admin-group peers, named for the audit log by what the kernel said', async () => {
    expect(await admins.authorise(caller(ROOT))).to.deep.equal({ uid: 0, user: 'root', pid: 10 });
    expect(await admins.authorise(caller(ALICE))).to.deep.equal({ uid: 1000, user: 'alice', pid: 11 });
    expect(log.events).to.deep.equal([]);
  });

  it('refuses any other peer with the group that may, and audits the refusal once per peer and minute', async () => {
    const refused = await expectAuthError(admins.authorise(caller(NOBODY)), 'not-admin');
    expect(refused.message).to.equal(
      "Trust administration needs root or a member of the group 'sudo'; nobody (uid 65534) is neither. Run it with sudo.",
    );
    await expectAuthError(admins.authorise(caller(NOBODY)), 'not-admin');
    expect(log.events).to.have.length(1);
    expect(log.events[0]).to.deep.include({ event: 'trust.admin.refused', outcome: 'refused', reason: 'not-admin', fingerprint: certificate.fingerprint });
    expect(log.events[0]?.peer).to.deep.equal({ uid: 65534, user: 'nobody', pid: 12 });
  });

  it('refuses every TCP caller, since nothing says who is calling', async () => {
    const refused = await expectAuthError(admins.authorise(caller(LOOPBACK, 'tcp')), 'not-admin');
    expect(refused.message).to.match(/^Trust administration is not served over TCP: the daemon cannot tell who is calling\./);
    expect(await admins.isAdmin(LOOPBACK)).to.equal(false);
    expect(log.events[0]).to.deep.include({ reason: 'tcp-peer', peer: { address: '127.0.0.0/8' } });
  });

  it('names root and the daemon user alone when there is no admin group', async () => {
    const alone = new AdminPeers(new FakeUserDirectory());
    expect((await expectAuthError(alone.authorise(caller(NOBODY)), 'not-admin')).message).to.contain("needs root or the daemon's own user;");
  });
});
