import type { Clock } from '../ports/clock.js';
import type { ScheduledTask, Scheduler } from '../ports/scheduler.js';
import { AuthError } from './auth-error.js';
import { peerKey, type Peer } from './peer.js';

export interface ThrottleSettings {
  /** Wrong guesses one peer may make in any minute. */
  readonly failuresPerMinutePerPeer: number;
  /** Wrong guesses all peers together may make in any minute. */
  readonly failuresPerMinute: number;
  /** Checks running at once (each is a deliberately costly hash). */
  readonly maxConcurrentChecks: number;
  /** A request whose peer must still sit out a backoff longer than this is refused at once, with the wait. */
  readonly maxBackoffWaitMs: number;
  /** No request waits in the queue longer than this (checks running slowly on a loaded machine). */
  readonly maxQueueMs: number;
  /** Requests one peer may have waiting; more are refused at once. */
  readonly maxQueuedPerPeer: number;
  /** Pause after a peer's first wrong guess; it doubles with each further one. */
  readonly firstBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A peer's record of wrong guesses is forgotten after this long without one. */
  readonly forgetAfterMs: number;
  /**
   * A throttled request is answered only after this pause (as OpenSSH delays a failed login),
   * so a client guessing in a tight loop costs the daemon a few answers a second, not thousands.
   */
  readonly refusalDelayMs: number;
  /** Refusals one peer may have pending; beyond that they are answered at once. */
  readonly maxDelayedRefusalsPerPeer: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  failuresPerMinutePerPeer: 10,
  failuresPerMinute: 60,
  maxConcurrentChecks: 4,
  maxBackoffWaitMs: 10_000,
  maxQueueMs: 30_000,
  maxQueuedPerPeer: 64,
  firstBackoffMs: 1_000,
  maxBackoffMs: 60_000,
  forgetAfterMs: 15 * 60_000,
  refusalDelayMs: 1_000,
  maxDelayedRefusalsPerPeer: 64,
};

const MINUTE_MS = 60_000;

interface Pending {
  readonly start: () => void;
  readonly refuse: (error: AuthError) => void;
  deadline: ScheduledTask | undefined;
}

interface PeerRecord {
  readonly key: string;
  readonly queue: Pending[];
  inFlight: boolean;
  /** When each wrong guess of the last minute was found wrong. */
  failures: number[];
  /** Wrong guesses in a row, for the backoff. */
  consecutive: number;
  lastFailureAt: number;
  /** The peer's next check may not start before this. */
  notBefore: number;
  delayedRefusals: number;
}

/**
 * Makes guessing the enrolment passphrase slow without locking anyone else out. Each peer
 * (a uid on the Unix socket, an address on TCP: never a certificate, which costs nothing to
 * mint) runs one check at a time, waits longer after each wrong guess, and may be wrong at
 * most `failuresPerMinutePerPeer` times a minute; all peers together at most
 * `failuresPerMinute`. Waiting requests are served round-robin across peers, first tries before
 * guessers' retries, so a correct passphrase from another peer gets through a flood at the
 * next free check. A request whose
 * peer faces a long backoff is refused at once with the time to wait, never queued for long.
 */
export class EnrolmentThrottle {
  private readonly peers = new Map<string, PeerRecord>();
  /** Peers with waiting requests, in the order they are served. */
  private readonly ring: string[] = [];
  private machineFailures: number[] = [];
  private running = 0;
  private wake: { at: number; task: ScheduledTask } | undefined;
  private lastSweep = 0;

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly settings: ThrottleSettings = DEFAULT_THROTTLE,
  ) {}

  /**
   * Runs `check` for `peer` when its turn comes. A rejection with `passphrase-mismatch` counts
   * as a wrong guess; success clears the peer's record; any other outcome counts for nothing.
   * @throws AuthError `too-many-attempts` (with the wait in its message) when the peer must wait too long.
   */
  attempt<T>(peer: Peer, check: () => Promise<T>): Promise<T> {
    const now = this.now();
    this.sweep(now);
    const record = this.recordOf(peerKey(peer));
    const wait = record.notBefore - now;
    if (wait > this.settings.maxBackoffWaitMs) return this.refuse(record, wait);
    if (record.queue.length >= this.settings.maxQueuedPerPeer) return this.refuse(record, Math.max(wait, this.settings.firstBackoffMs));
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        deadline: undefined,
        refuse: reject,
        start: () => {
          pending.deadline?.cancel();
          record.inFlight = true;
          this.running += 1;
          check().then(
            (value) => {
              this.settle(record, 'success');
              resolve(value);
            },
            (error: unknown) => {
              this.settle(record, AuthError.is(error, 'passphrase-mismatch') ? 'failure' : 'neutral');
              reject(error);
            },
          );
        },
      };
      pending.deadline = this.scheduler.after(this.settings.maxQueueMs, () => this.expire(record, pending));
      record.queue.push(pending);
      if (!this.ring.includes(record.key)) this.ring.push(record.key);
      this.pump();
    });
  }

  /** Wrong guesses counted against a peer in the last minute (for logs and tests). */
  recentFailures(peer: Peer): number {
    const record = this.peers.get(peerKey(peer));
    return record === undefined ? 0 : record.failures.filter((at) => at > this.now() - MINUTE_MS).length;
  }

  /** A refusal, answered after the refusal delay while the peer has few pending. */
  private refuse<T>(record: PeerRecord, waitMs: number): Promise<T> {
    const error = throttled(waitMs);
    if (record.delayedRefusals >= this.settings.maxDelayedRefusalsPerPeer) return Promise.reject(error);
    record.delayedRefusals += 1;
    return new Promise<T>((_, reject) => {
      this.scheduler.after(this.settings.refusalDelayMs, () => {
        record.delayedRefusals -= 1;
        reject(error);
      });
    });
  }

  private settle(record: PeerRecord, outcome: 'success' | 'failure' | 'neutral'): void {
    const now = this.now();
    record.inFlight = false;
    this.running -= 1;
    if (outcome === 'success') {
      record.failures = [];
      record.consecutive = 0;
      record.notBefore = 0;
    } else if (outcome === 'failure') {
      record.failures.push(now);
      this.machineFailures.push(now);
      record.consecutive += 1;
      record.lastFailureAt = now;
      const backoff = Math.min(this.settings.firstBackoffMs * 2 ** (record.consecutive - 1), this.settings.maxBackoffMs);
      record.notBefore = now + backoff;
    }
    this.pump();
  }

  /** A waiting request whose time ran out is refused with the wait its peer still faces. */
  private expire(record: PeerRecord, pending: Pending): void {
    const index = record.queue.indexOf(pending);
    if (index < 0) return;
    record.queue.splice(index, 1);
    this.dropFromRingIfIdle(record);
    pending.refuse(throttled(Math.max(record.notBefore - this.now(), this.settings.firstBackoffMs)));
  }

  /** Starts every check that may start now, round-robin across peers; otherwise sleeps until one may. */
  private pump(): void {
    for (;;) {
      const now = this.now();
      if (this.running >= this.settings.maxConcurrentChecks) return;
      this.machineFailures = withinMinute(this.machineFailures, now);
      let earliest = Number.POSITIVE_INFINITY;
      // Each running check may turn out wrong: reserve room for it under the machine-wide ceiling.
      if (this.machineFailures.length + this.running >= this.settings.failuresPerMinute) {
        const oldest = this.machineFailures[0];
        if (oldest !== undefined) earliest = oldest + MINUTE_MS;
        this.sleepUntil(earliest);
        return;
      }
      const chosen = this.nextReady(now);
      if (typeof chosen === 'number') {
        this.sleepUntil(Math.min(earliest, chosen));
        return;
      }
      const pending = chosen.queue.shift() as Pending;
      this.dropFromRingIfIdle(chosen);
      // Served: to the back of the ring, so every other waiting peer goes first next time.
      const at = this.ring.indexOf(chosen.key);
      if (at >= 0) this.ring.push(...this.ring.splice(at, 1));
      pending.start();
    }
  }

  /**
   * The peer whose next check starts now: of those allowed to start, the one with the fewest
   * wrong guesses in a row (a first try goes before a guesser's next one), ring order among
   * equals. Otherwise the time the earliest one may start.
   */
  private nextReady(now: number): PeerRecord | number {
    let earliest = Number.POSITIVE_INFINITY;
    let best: PeerRecord | undefined;
    for (const key of this.ring) {
      const record = this.peers.get(key);
      if (record === undefined || record.queue.length === 0 || record.inFlight) continue;
      record.failures = withinMinute(record.failures, now);
      let readyAt = record.notBefore;
      const full = record.failures.length >= this.settings.failuresPerMinutePerPeer;
      if (full) readyAt = Math.max(readyAt, (record.failures[0] as number) + MINUTE_MS);
      if (readyAt > now) {
        earliest = Math.min(earliest, readyAt);
      } else if (best === undefined || record.consecutive < best.consecutive) {
        best = record;
      }
    }
    return best ?? earliest;
  }

  private sleepUntil(at: number): void {
    if (!Number.isFinite(at)) return;
    if (this.wake !== undefined && this.wake.at <= at) return;
    this.wake?.task.cancel();
    const task = this.scheduler.after(at - this.now(), () => {
      if (this.wake?.task === task) this.wake = undefined;
      this.pump();
    });
    this.wake = { at, task };
  }

  private dropFromRingIfIdle(record: PeerRecord): void {
    if (record.queue.length > 0) return;
    const at = this.ring.indexOf(record.key);
    if (at >= 0) this.ring.splice(at, 1);
  }

  private recordOf(key: string): PeerRecord {
    let record = this.peers.get(key);
    if (record === undefined) {
      record = { key, queue: [], inFlight: false, failures: [], consecutive: 0, lastFailureAt: 0, notBefore: 0, delayedRefusals: 0 };
      this.peers.set(key, record);
    }
    return record;
  }

  /** Forgets idle peers whose last wrong guess is old, at most once a minute, so memory stays flat. */
  private sweep(now: number): void {
    if (now - this.lastSweep < MINUTE_MS) return;
    this.lastSweep = now;
    for (const [key, record] of this.peers) {
      const idle = record.queue.length === 0 && !record.inFlight && record.delayedRefusals === 0;
      if (idle && now - record.lastFailureAt > this.settings.forgetAfterMs) this.peers.delete(key);
    }
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

function withinMinute(times: number[], now: number): number[] {
  const from = now - MINUTE_MS;
  let first = 0;
  while (first < times.length && (times[first] as number) <= from) first += 1;
  return first === 0 ? times : times.slice(first);
}

function throttled(waitMs: number): AuthError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AuthError(
    'too-many-attempts',
    `Too many failed authentication attempts. Please try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
  );
}
