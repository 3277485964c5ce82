import { expect } from 'chai';
import { InMemoryAuditLog } from '../../../src/adapters/audit/in-memory-audit-log.js';
import type { AuditEntry } from '../../../src/domain/audit-event.js';
import { AuditTrail } from '../../../src/domain/audit-trail.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakeScheduler } from '../../support/fakes/fake-scheduler.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';

const REFUSED: AuditEntry = { event: 'trust.enrol.refused', outcome: 'refused', reason: 'too-many-attempts', peer: { uid: 1000 } };

describe('AuditTrail', () => {
  let log: InMemoryAuditLog;
  let clock: FakeClock;
  let scheduler: FakeScheduler;
  let logger: RecordingLoggerFake;
  let trail: AuditTrail;

  beforeEach(() => {
    log = new InMemoryAuditLog();
    clock = new FakeClock();
    scheduler = new FakeScheduler(clock);
    logger = new RecordingLoggerFake();
    trail = new AuditTrail(log, clock, scheduler, logger);
  });

  it('stamps each event with the time and appends it', async () => {
    expect(await trail.record({ event: 'trust.remove', outcome: 'ok' })).to.equal(undefined);
    expect(log.events).to.deep.equal([{ time: clock.now(), event: 'trust.remove', outcome: 'ok' }]);
  });

  it('never throws when the log cannot be written: it says why, and warns at most once a minute', async () => {
    log.failure = 'disk full';
    for (let i = 0; i < 5; i += 1) {
      expect(await trail.record({ event: 'trust.add', outcome: 'ok' })).to.contain('disk full').and.to.contain('(memory)');
      clock.advance(10_000);
    }
    expect(logger.lines.filter((line) => line.level === 'warn')).to.have.length(1);
    clock.advance(20_000);
    await trail.record({ event: 'trust.add', outcome: 'ok' });
    expect(logger.lines.filter((line) => line.level === 'warn')).to.have.length(2);
  });

  it('writes the first of repeated refusals at once and the rest as one line with a count at the end of the minute', async () => {
    for (let i = 0; i < 50; i += 1) {
      await trail.recordRepeated('uid:1000', REFUSED);
      clock.advance(100);
    }
    expect(log.events).to.have.length(1);
    await scheduler.advance(60_000);
    expect(log.events).to.have.length(2);
    expect(log.events[1]).to.deep.include({ ...REFUSED, repeats: 48 });
    await trail.recordRepeated('uid:1000', REFUSED);
    expect(log.events, 'a new minute starts afresh').to.have.length(3);
    expect(log.events[2]).not.to.have.property('repeats');
  });

  it('keeps refusals of different peers apart, and writes no summary when nothing was held back', async () => {
    await trail.recordRepeated('uid:1000', REFUSED);
    await trail.recordRepeated('uid:1001', { ...REFUSED, peer: { uid: 1001 } });
    await scheduler.advance(60_000);
    expect(log.events.map((event) => event.peer?.uid)).to.deep.equal([1000, 1001]);
  });
});
