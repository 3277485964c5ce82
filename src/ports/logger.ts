export const Logger = Symbol('Logger');

export type LogFields = Readonly<Record<string, unknown>>;

/** Structured logging. Callers never pass secrets (passphrases, keys) in messages or fields. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
