import { expect } from 'chai';
import { InMemoryCertStore } from '../../../src/adapters/stores/in-memory-cert-store.js';
import type { Fingerprint } from '../../../src/domain/fingerprint.js';
import { LastSeenTracker } from '../../../src/domain/last-seen-tracker.js';
import type { SeenTimes } from '../../../src/domain/trust-record.js';
import { makeClientCertificate } from '../../support/fakes/client-certificates.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';

/** Counts the store's writes, and fails them while `failing`. */
class CountingStore extends InMemoryCertStore {
  writes: SeenTimes[] = [];
  failing = false;

  override async recordSeen(seen: SeenTimes): Promise<void> {
    if (this.failing) throw new Error('disk full');
    this.writes.push(new Map(seen));
    await super.recordSeen(seen);
  }
}

describe('LastSeenTracker', () => {
  const a = makeClientCertificate();
  const b = makeClientCertificate();
  let store: CountingStore;
  let clock: FakeClock;
  let logger: RecordingLoggerFake;
  let tracker: LastSeenTracker;
  const lastSeenOf = async (fingerprint: Fingerprint) => (await store.list()).find((record) => record.fingerprint === fingerprint)?.lastSeen;

  beforeEach(() => {
    store = new CountingStore([a, b]);
    clock = new FakeClock();
    logger = new RecordingLoggerFake();
    tracker = new LastSeenTracker(store, clock, logger);
  });

  it('writes nothing when noting a call, and every noted certificate in one write at flush, with its latest time', async () => {
    for (let call = 0; call < 1000; call += 1) {
      clock.advance(1000);
      tracker.note(call % 2 === 0 ? a.fingerprint : b.fingerprint);
    }
    expect(store.writes, 'no write per call').to.have.length(0);
    expect(tracker.noted(b.fingerprint)).to.deep.equal(clock.now());
    await tracker.flush();
    expect(store.writes).to.have.length(1);
    expect(await lastSeenOf(b.fingerprint)).to.deep.equal(clock.now());
    expect(await lastSeenOf(a.fingerprint)).to.deep.equal(new Date(clock.now().getTime() - 1000));
  });

  it('does not write when nothing was noted since the last flush', async () => {
    tracker.note(a.fingerprint);
    await tracker.flush();
    await tracker.flush();
    expect(store.writes).to.have.length(1);
    expect(tracker.noted(a.fingerprint)).to.equal(undefined);
  });

  it('keeps the times when the store cannot be written, warns, and writes them at the next flush', async () => {
    tracker.note(a.fingerprint);
    const first = clock.now();
    store.failing = true;
    await tracker.flush();
    expect(logger.lines.filter((line) => line.level === 'warn')).to.have.length(1);
    clock.advance(5000);
    tracker.note(b.fingerprint);
    store.failing = false;
    await tracker.flush();
    expect(await lastSeenOf(a.fingerprint)).to.deep.equal(first);
    expect(await lastSeenOf(b.fingerprint)).to.deep.equal(clock.now());
  });

  it('keeps a time noted during a failed flush rather than the older one it held', async () => {
    tracker.note(a.fingerprint);
    store.failing = true;
    const flushing = tracker.flush();
    clock.advance(7000);
    tracker.note(a.fingerprint);
    await flushing;
    store.failing = false;
    await tracker.flush();
    expect(await lastSeenOf(a.fingerprint)).to.deep.equal(clock.now());
  });
});
