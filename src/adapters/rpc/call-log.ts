import type { Logger } from '../../ports/logger.js';

/** Multipass's verbosity levels: 0 error, 1 warning, 2 info, 3 debug, 4 trace. */
const DEBUG_VERBOSITY = 3;

/**
 * The daemon's log lines for one call. Each line goes to the daemon's own log and, when the
 * request asked for that much detail, to the caller as a `log_line` reply written before the
 * final one, as Multipass's daemon streams its log to a client at the client's verbosity.
 * Only this call's lines are sent, never other clients' activity, and never a secret: callers
 * pass keys and counts, not values.
 */
export class CallLog {
  constructor(
    private readonly logger: Logger,
    private readonly method: string,
    private readonly verbosity: number,
    private readonly send: (logLine: string) => void,
  ) {}

  debug(message: string): void {
    this.logger.debug(message, { method: this.method });
    if (this.verbosity >= DEBUG_VERBOSITY) this.send(`[${new Date().toISOString()}] [debug] [rpc] ${message}\n`);
  }
}
