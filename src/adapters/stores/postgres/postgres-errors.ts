import { AuthError } from '../../../domain/auth-error.js';
import { errorCode } from '../../fs/error-code.js';
import type { PostgresTarget } from './postgres-target.js';

/**
 * What a client is told while the database cannot be reached. Fixed text on purpose: the
 * reason (host, port, errno) is for the admin's log, and clients may be anyone.
 */
export const STORE_OFFLINE_MESSAGE = 'The trust store is unavailable; try again later.';

/** Node's network failures: nothing answered, or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'EPIPE', 'ENOENT', 'EADDRNOTAVAIL',
]);

/**
 * PostgreSQL SQLSTATEs that mean "no session with the server now": connection exceptions
 * (class 08), an administrator's or a crash's shutdown, a server still starting, too many
 * connections, and a login refused (password, pg_hba.conf, no such database). Whatever keeps
 * the daemon from the database is an outage to ride out on the last copy, its reason logged.
 */
const OFFLINE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '28000', '28P01', '3D000']);

/** pg's own words for a connection that timed out or went away. */
const OFFLINE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection ended|The server does not support SSL connections/i;

/** Whether `error` means the database cannot be reached (as opposed to a statement it refused). */
export function isConnectionFailure(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && (NETWORK_CODES.has(code) || OFFLINE_STATES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  return error instanceof Error && OFFLINE_MESSAGES.test(error.message);
}

/** An undefined table, schema or function: the schema was dropped (or never made) under us. */
export function isMissingSchema(error: unknown): boolean {
  const code = errorCode(error);
  return code === '42P01' || code === '3F000' || code === '42883';
}

/** What went wrong, in one line, without the password. */
export function describeFailure(target: PostgresTarget, error: unknown): string {
  const code = errorCode(error);
  let message = error instanceof AggregateError ? error.errors.map((inner) => String((inner as Error).message ?? inner)).join('; ') : '';
  if (message === '') message = error instanceof Error ? error.message : String(error);
  if (message === '' && code !== undefined) message = code;
  return target.scrub(code !== undefined && !message.includes(code) ? `${message} (${code})` : message);
}

/**
 * The database cannot be reached: `store-offline`, whose message clients may see; the reason
 * for the admin is in `cause`.
 */
export function storeOffline(target: PostgresTarget, error: unknown): AuthError {
  const reason = new Error(`the PostgreSQL database ${target.describe()} cannot be reached: ${describeFailure(target, error)}`, { cause: error });
  return new AuthError('store-offline', STORE_OFFLINE_MESSAGE, { cause: reason });
}

/** Any other failure of the store: `store-unavailable`, for the admin (clients get a generic answer). */
export function storeFailure(target: PostgresTarget, action: string, error: unknown): AuthError {
  return new AuthError('store-unavailable', `Cannot ${action} the PostgreSQL store ${target.describe()}: ${describeFailure(target, error)}`, {
    cause: error,
  });
}

/** Either of the above, as `error` calls for; AuthErrors pass through unchanged. */
export function storeError(target: PostgresTarget, action: string, error: unknown): AuthError {
  if (AuthError.is(error)) return error;
  return isConnectionFailure(error) ? storeOffline(target, error) : storeFailure(target, action, error);
}
