import { expect } from 'chai';
import { AuthError } from '../../../src/domain/auth-error.js';
import { DEFAULT_THROTTLE, EnrolmentThrottle, type ThrottleSettings } from '../../../src/domain/enrolment-throttle.js';
import type { Peer } from '../../../src/domain/peer.js';
import { FakeClock } from '../../support/fakes/fake-clock.js';
import { FakeScheduler, settle } from '../../support/fakes/fake-scheduler.js';

const uid = (n: number): Peer => ({ kind: 'unix', uid: n, gid: n, pid: 1 });
const ATTACKER = uid(1001);
const ALICE = uid(1000);

interface Harness {
  throttle: EnrolmentThrottle;
  clock: FakeClock;
  scheduler: FakeScheduler;
  /** When each check started (ms since the harness was made), by peer uid. */
  started: Array<{ uid: number; at: number }>;
  guess(peer: Peer, correct: boolean, checkMs?: number): Promise<'ok' | AuthError>;
}

function harness(settings: Partial<ThrottleSettings> = {}): Harness {
  const clock = new FakeClock();
  const scheduler = new FakeScheduler(clock);
  const throttle = new EnrolmentThrottle(clock, scheduler, { ...DEFAULT_THROTTLE, ...settings });
  const origin = clock.now().getTime();
  const started: Harness['started'] = [];
  const guess = (peer: Peer, correct: boolean, checkMs = 0) =>
    throttle
      .attempt(peer, async () => {
        started.push({ uid: peer.kind === 'unix' ? peer.uid : -1, at: clock.now().getTime() - origin });
        if (checkMs > 0) await new Promise<void>((resolve) => scheduler.after(checkMs, resolve));
        if (!correct) throw new AuthError('passphrase-mismatch', 'Passphrase is not correct. Please try again.');
      })
      .then(
        () => 'ok' as const,
        (error: unknown) => {
          if (AuthError.is(error)) return error;
          throw error;
        },
      );
  return { throttle, clock, scheduler, started, guess };
}

describe('EnrolmentThrottle', () => {
  it('runs a first attempt at once', async () => {
    const h = harness();

    expect(await h.guess(ALICE, true)).to.equal('ok');

    expect(h.started).to.deep.equal([{ uid: 1000, at: 0 }]);
  });

  it('makes a peer wait longer after each wrong guess: 1 s, 2 s, 4 s...', async () => {
    const h = harness();
    const outcomes = Array.from({ length: 4 }, () => h.guess(ATTACKER, false));

    await h.scheduler.advance(10_000);
    await Promise.all(outcomes);

    expect(h.started.map((s) => s.at)).to.deep.equal([0, 1000, 3000, 7000]);
  });

  it('lets a peer that gives the right passphrase start afresh', async () => {
    const h = harness();
    void h.guess(ATTACKER, false);
    await settle();
    const right = h.guess(ATTACKER, true);
    await h.scheduler.advance(1000);
    expect(await right).to.equal('ok');

    const again = h.guess(ATTACKER, false);
    await settle();
    expect(h.started).to.have.length(3);
    expect(h.started[2]?.at, 'no backoff left over').to.equal(1000);
    expect((await again) instanceof AuthError).to.equal(true);
  });

  it('refuses, with the wait, a peer that still has a long backoff to sit out, without running a check', async () => {
    const h = harness();
    for (let i = 0; i < 5; i += 1) {
      const outcome = h.guess(ATTACKER, false);
      await h.scheduler.advance(20_000);
      await outcome;
    }
    // Five wrong guesses 20 s apart: the sixth starts at once and earns a 32 s pause.
    const now = h.guess(ATTACKER, false);
    await settle();
    const pending = h.guess(ATTACKER, false);
    await h.scheduler.advance(1000);
    const refused = await pending;
    expect(AuthError.is(refused, 'too-many-attempts'), String(refused)).to.equal(true);
    expect((refused as AuthError).message).to.match(/^Too many failed authentication attempts\. Please try again in 32 seconds\.$/);
    expect(h.started).to.have.length(6);
    await now;
  });

  it('allows at most the per-peer number of wrong guesses in any minute, even without backoff', async () => {
    const h = harness({ firstBackoffMs: 1, maxBackoffMs: 1, maxQueueMs: 10 * 60_000, maxQueuedPerPeer: 100 });
    const outcomes = Array.from({ length: 25 }, () => h.guess(ATTACKER, false));

    await h.scheduler.advance(3 * 60_000);
    await Promise.all(outcomes);

    expect(h.started).to.have.length(25);
    for (const { at } of h.started) {
      const inWindow = h.started.filter((other) => other.at > at - 60_000 && other.at <= at).length;
      expect(inWindow, `checks in the minute up to ${at} ms`).to.be.at.most(10);
    }
    expect(h.started.filter((s) => s.at < 60_000)).to.have.length(10);
  });

  it('allows at most the machine-wide number of wrong guesses in any minute across peers', async () => {
    const h = harness({ maxQueueMs: 10 * 60_000 });
    const outcomes = Array.from({ length: 150 }, (_, i) => h.guess(uid(2000 + i), false));

    await h.scheduler.advance(60_000 - 1);
    expect(h.started.length).to.be.at.most(60);
    expect(h.started.length).to.be.at.least(55);
    await h.scheduler.advance(3 * 60_000);
    await Promise.all(outcomes);
    expect(h.started).to.have.length(150);
    for (const { at } of h.started) {
      expect(h.started.filter((other) => other.at > at - 60_000 && other.at <= at).length).to.be.at.most(60);
    }
  });

  it('serves another peer between a flooding peer’s checks, so a right passphrase gets through at once', async () => {
    const h = harness();
    const flood = Array.from({ length: 8 }, () => h.guess(ATTACKER, false, 500));
    await h.scheduler.advance(100);

    const alice = h.guess(ALICE, true, 500);
    await h.scheduler.advance(600);

    expect(await alice).to.equal('ok');
    expect(h.started.find((s) => s.uid === 1000)?.at).to.equal(100);
    await h.scheduler.advance(60_000);
    await Promise.all(flood);
  });

  it('serves a first try before the retries of peers that keep guessing wrong', async () => {
    const h = harness({ maxConcurrentChecks: 1, maxQueueMs: 10 * 60_000 });
    const floods = Array.from({ length: 10 }, (_, i) => Array.from({ length: 3 }, () => h.guess(uid(4000 + i), false, 200))).flat();
    await h.scheduler.advance(3000);
    const busy = h.started.length;

    const alice = h.guess(ALICE, true, 200);
    await h.scheduler.advance(400);

    expect(await alice).to.equal('ok');
    const aliceStarted = h.started.findIndex((s) => s.uid === 1000);
    expect(aliceStarted, 'at the next free check').to.be.within(busy, busy + 1);
    await h.scheduler.advance(10 * 60_000);
    await Promise.all(floods);
  });

  it('runs no more checks at once than its concurrency allows', async () => {
    const h = harness({ maxConcurrentChecks: 2 });
    const outcomes = [1, 2, 3, 4].map((n) => h.guess(uid(3000 + n), true, 1000));

    await h.scheduler.advance(10);
    expect(h.started).to.have.length(2);
    await h.scheduler.advance(1000);
    expect(h.started).to.have.length(4);
    await h.scheduler.advance(1000);
    expect(await Promise.all(outcomes)).to.deep.equal(['ok', 'ok', 'ok', 'ok']);
  });

  it('refuses a peer with too many requests already waiting', async () => {
    const h = harness({ maxQueuedPerPeer: 2 });
    const running = h.guess(ATTACKER, false, 1000);
    await settle();
    const waiting = [h.guess(ATTACKER, false), h.guess(ATTACKER, false)];

    const refusal = h.guess(ATTACKER, false);
    await h.scheduler.advance(1000);

    expect(AuthError.is(await refusal, 'too-many-attempts')).to.equal(true);
    await h.scheduler.advance(60_000);
    await Promise.all([running, ...waiting]);
  });

  it('answers a throttled request only after a pause, so a guessing loop runs slowly, and at once past a bound', async () => {
    const h = harness({ maxQueuedPerPeer: 1, maxDelayedRefusalsPerPeer: 3 });
    const running = h.guess(ATTACKER, false, 5000);
    await settle();
    const waiting = h.guess(ATTACKER, false);
    const delayed = [h.guess(ATTACKER, false), h.guess(ATTACKER, false), h.guess(ATTACKER, false)];
    let answered = 0;
    delayed.forEach((outcome) => void outcome.then(() => (answered += 1)));

    const immediate = await h.guess(ATTACKER, false);
    await h.scheduler.advance(999);
    expect(answered, 'nothing before the pause').to.equal(0);
    await h.scheduler.advance(1);

    expect(answered).to.equal(3);
    expect(AuthError.is(immediate, 'too-many-attempts'), 'the fourth is answered at once').to.equal(true);
    await h.scheduler.advance(60_000);
    await Promise.all([running, waiting]);
  });

  it('refuses a request that has waited in the queue too long', async () => {
    const h = harness({ maxQueueMs: 5000 });
    const first = h.guess(ATTACKER, false);
    await settle();
    const second = h.guess(ATTACKER, false); // starts at 1 s
    const third = h.guess(ATTACKER, false); // would start at 3 s
    const fourth = h.guess(ATTACKER, false); // would start at 7 s: past its 5 s

    await h.scheduler.advance(10_000);

    expect(((await first) as AuthError).code).to.equal('passphrase-mismatch');
    expect(((await second) as AuthError).code).to.equal('passphrase-mismatch');
    expect(((await third) as AuthError).code).to.equal('passphrase-mismatch');
    expect(((await fourth) as AuthError).code).to.equal('too-many-attempts');
  });

  it('counts only wrong passphrases as guesses', async () => {
    const h = harness();
    const notSet = await h.throttle
      .attempt(ATTACKER, async () => {
        throw new AuthError('no-passphrase-set', 'Passphrase is not set.');
      })
      .catch((error: unknown) => error);

    expect(AuthError.is(notSet, 'no-passphrase-set')).to.equal(true);
    expect(h.throttle.recentFailures(ATTACKER)).to.equal(0);
    expect(await h.guess(ATTACKER, true)).to.equal('ok');
    expect(h.started[0]?.at, 'no backoff').to.equal(0);
  });
});
