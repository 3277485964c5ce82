/**
 * What the CLI says about its own work at `-v` ... `-vvvv`, on stderr, in the shape of the
 * daemon's log lines it passes on at `-vvv` (`[time] [level] [category] message`):
 * 1 (-v) where it connects and with which files, 2 (-vv) the connection and each call and its
 * outcome, 3 (-vvv) the daemon's own log lines too (asked for with verbosity_level), 4 (-vvvv)
 * the TLS details and the size of every message.
 */
export type ClientTrace = (level: TraceLevel, message: string) => void;

export type TraceLevel = 1 | 2 | 3 | 4;

const LABELS: Readonly<Record<TraceLevel, string>> = { 1: 'info', 2: 'info', 3: 'debug', 4: 'trace' };

/** Undefined at verbosity 0, so that quiet runs format nothing. */
export function clientTrace(verbosity: number, write: (text: string) => void): ClientTrace | undefined {
  if (verbosity <= 0) return undefined;
  return (level, message) => {
    if (level <= verbosity) write(`[${new Date().toISOString()}] [${LABELS[level]}] [client] ${message}\n`);
  };
}

/** Node's `AB:CD:...` fingerprint as multipassd prints and takes it: lowercase hex, no colons. */
export const plainFingerprint = (colonHex: string | undefined): string => (colonHex ?? '').replace(/:/g, '').toLowerCase();
