import { expect } from 'chai';
import type { AuditEvent } from '../../src/domain/audit-event.js';
import type { Fingerprint } from '../../src/domain/fingerprint.js';
import type { AuditLog } from '../../src/ports/audit-log.js';

/** One case's view of an adapter: fresh backing data per harness. */
export interface AuditLogHarness {
  create(): Promise<AuditLog>;
  /** Another instance over the same backing data (another process, a restart). */
  reopen(): Promise<AuditLog>;
  dispose(): Promise<void>;
}

const T0 = new Date('2026-03-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** Every field an event can carry. */
const FULL: AuditEvent = {
  time: T0,
  event: 'trust.enrol',
  outcome: 'ok',
  fingerprint: 'e'.repeat(64) as Fingerprint,
  via: 'token',
  peer: { uid: 1000, user: 'alice', pid: 42 },
  reason: 'already-trusted',
  label: "alice's \"laptop\"\nsecond line",
  tokenId: 'abcd2345',
  expires: at(15),
  repeats: 3,
};

/** What every AuditLog must do (src/ports/audit-log.ts). */
export function auditLogContract(name: string, makeHarness: () => Promise<AuditLogHarness>): void {
  describe(`${name} (AuditLog contract)`, () => {
    let harness: AuditLogHarness;

    beforeEach(async () => {
      harness = await makeHarness();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('is empty after creation', async () => {
      expect(await (await harness.create()).read()).to.deep.equal({ events: [], skipped: 0 });
    });

    it('reads back every field of every event, in order, across a reopen', async () => {
      const log = await harness.create();
      const minimal: AuditEvent = { time: at(1), event: 'trust.remove', outcome: 'ok' };
      const admin: AuditEvent = { time: at(2), event: 'token.issue', outcome: 'ok', peer: { uid: 0, user: 'root', sudoUser: 'bob' } };
      const overTcp: AuditEvent = { time: at(3), event: 'trust.enrol.refused', outcome: 'refused', peer: { address: '127.0.0.1' } };
      for (const event of [FULL, minimal, admin, overTcp]) await log.append(event);
      expect((await (await harness.reopen()).read()).events).to.deep.equal([FULL, minimal, admin, overTcp]);
    });

    it('reads only the events from `since` on', async () => {
      const log = await harness.create();
      for (const minute of [0, 10, 20, 30]) await log.append({ time: at(minute), event: 'trust.add', outcome: 'ok' });
      const { events } = await log.read({ since: at(20) });
      expect(events.map((event) => event.time)).to.deep.equal([at(20), at(30)]);
    });

    it('keeps the appends of two instances at once, none lost', async () => {
      const first = await harness.create();
      const second = await harness.reopen();
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? first : second).append({ time: at(i), event: 'trust.add', outcome: 'ok', label: `n${i}` })),
      );
      const labels = (await first.read()).events.map((event) => event.label).sort();
      expect(labels).to.deep.equal(Array.from({ length: 40 }, (_, i) => `n${i}`).sort());
    });

    it('names where it is', async () => {
      expect((await harness.create()).location()).to.be.a('string').and.not.equal('');
    });
  });
}
