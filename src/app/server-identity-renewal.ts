import { ensureDaemonIdentity, serverRenewalDue, type DaemonIdentity, type DaemonIdentityPaths } from '../adapters/crypto/daemon-identity.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ScheduledTask, Scheduler } from '../ports/scheduler.js';

/**
 * Never sleep longer than this between checks: a suspended machine or a clock set by hand
 * can move the due time, and timers count elapsed time, not the calendar.
 */
export const IDENTITY_CHECK_MAX_MS = 12 * 60 * 60 * 1000;
/** After a failed renewal (a full disk...), try again this much later; the old certificate still has weeks. */
export const IDENTITY_RETRY_MS = 60 * 60 * 1000;
// ensureDaemonIdentity renews strictly after the due time: check just past it.
const PAST_DUE_MS = 1000;

export interface IdentityRenewalDeps {
  /** Where the identity lives: our certificate directory, or the files of Multipass's layout. */
  readonly location: string | DaemonIdentityPaths;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Puts the renewed identity in front of new connections. */
  readonly swap: (identity: DaemonIdentity) => void;
}

export interface IdentityRenewal {
  /** Cancels the next check and waits for one in progress, so no write outlives the daemon's locks. */
  stop(): Promise<void>;
}

/**
 * Keeps the running daemon's server certificate from expiring: when it is due (two months
 * before expiry), reissue it from the same root CA (ensureDaemonIdentity: atomic writes, the
 * same checks as at start) and swap it into the live TLS server. Checks at the due time and at
 * least every 12 hours.
 */
export function keepServerIdentityRenewed(initial: DaemonIdentity, deps: IdentityRenewalDeps): IdentityRenewal {
  let current = initial;
  let next: ScheduledTask | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const schedule = (delayMs: number): void => {
    if (!stopped) next = deps.scheduler.after(delayMs, () => (running = check().finally(() => (running = undefined))));
  };
  const untilDue = (): number => {
    const wait = serverRenewalDue(current).getTime() - deps.clock.now().getTime() + PAST_DUE_MS;
    return Math.min(Math.max(wait, PAST_DUE_MS), IDENTITY_CHECK_MAX_MS);
  };
  const check = async (): Promise<void> => {
    try {
      const renewed = await ensureDaemonIdentity(deps.location, deps.logger, deps.clock.now());
      if (stopped) return;
      if (renewed.serverCertPem !== current.serverCertPem || renewed.serverKeyPem !== current.serverKeyPem) {
        deps.swap(renewed);
        current = renewed;
        deps.logger.info('serving the renewed server certificate to new connections', { renewalDue: serverRenewalDue(renewed).toISOString() });
      }
      schedule(untilDue());
    } catch (error) {
      deps.logger.warn('cannot renew the server certificate; will try again', { error: String(error), retryInMs: IDENTITY_RETRY_MS });
      schedule(IDENTITY_RETRY_MS);
    }
  };

  schedule(untilDue());
  return {
    stop: async () => {
      stopped = true;
      next?.cancel();
      await running;
    },
  };
}
