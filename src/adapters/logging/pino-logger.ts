import { pino, type Logger as Pino } from 'pino';
import type { LogFields, Logger } from '../../ports/logger.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * JSON lines on stderr (journald and log shippers read them as they are). Synchronous, so
 * nothing is lost when the daemon exits on a signal.
 */
export class PinoLogger implements Logger {
  private readonly pino: Pino;

  constructor(level: LogLevel, destination: number = 2) {
    this.pino = pino({ level, base: { name: 'multipassd' } }, pino.destination({ dest: destination, sync: true }));
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
