import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { LogFields, Logger } from '../../ports/logger.js';
import { humanLogLine } from './human-log-line.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** `json`: one JSON object per line (journald, log shippers); `human`: one readable line each. */
export type LogFormat = 'json' | 'human';

/**
 * Logs on stderr, as JSON lines or as readable lines (the same entries, reformatted).
 * Synchronous, so nothing is lost when the daemon exits on a signal.
 */
export class PinoLogger implements Logger {
  private readonly pino: Pino;

  /** `format` undefined: human for a person at a terminal, JSON for journald, files and pipes. */
  constructor(level: LogLevel, destination: number = 2, format: LogFormat = isatty(destination) ? 'human' : 'json') {
    this.pino = pino({ level, base: { name: 'multipassd' } }, format === 'json' ? pino.destination({ dest: destination, sync: true }) : humanDestination(destination));
  }

  debug(message: string, fields?: LogFields): void {
    this.pino.debug(fields ?? {}, message);
  }

  info(message: string, fields?: LogFields): void {
    this.pino.info(fields ?? {}, message);
  }

  warn(message: string, fields?: LogFields): void {
    this.pino.warn(fields ?? {}, message);
  }

  error(message: string, fields?: LogFields): void {
    this.pino.error(fields ?? {}, message);
  }
}

function humanDestination(fd: number): DestinationStream {
  return {
    write(line: string) {
      try {
        writeSync(fd, humanLogLine(line));
      } catch {
        // Nobody reads the log any more (`multipassd 2>&1 | head`): keep serving.
      }
    },
  };
}
