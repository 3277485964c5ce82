import type { LogFields, Logger } from '../../../src/ports/logger.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields?: LogFields;
}

/** A Logger that keeps every line, so that tests can look for what must never be logged. */
export class RecordingLoggerFake implements Logger {
  readonly lines: LogLine[] = [];

  debug(message: string, fields?: LogFields): void {
    this.record('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.record('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.record('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.record('error', message, fields);
  }

  /** Every line as one JSON string, for "never contains" assertions. */
  text(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }

  private record(level: LogLevel, message: string, fields?: LogFields): void {
    this.lines.push(fields === undefined ? { level, message } : { level, message, fields });
  }
}
