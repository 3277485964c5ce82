import type { Logger } from '../../../src/ports/logger.js';

/** A Logger that drops everything, for tests that do not look at logging. */
export class NullLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
}
