import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { LogFormat, LogLevel } from '../../adapters/logging/pino-logger.js';
import { hasPassword, isPostgresUrl } from '../../adapters/stores/postgres/postgres-target.js';
import { defaultConfigPath, defaultDataDir, defaultSocketPath, type Env } from '../paths.js';

export type StoreKind = 'pem' | 'sqlite' | 'postgres';

/**
 * Where the daemon keeps its identity: `native` in `<data>/certificate/`; `multipass` where
 * Multipass keeps it, so that the real Multipass CLI verifies this daemon: the root CA in
 * `/usr/local/etc/multipassd/` (the snap's data dir for a snap install) and the server
 * certificate in `<data>/certificates/`.
 */
export type Layout = 'native' | 'multipass';

/** Everything the composition root needs to pick and build the daemon's adapters. */
export interface DaemonConfig {
  readonly dataDir: string;
  /** The YAML file that was read, if any. */
  readonly configFile: string | undefined;
  /** `unix:/path` selects the Unix-socket transport; `host:port` selects TCP. */
  readonly address: string;
  readonly socketGroup: string | undefined;
  readonly store: StoreKind;
  /**
   * With `store: postgres`: the database (`postgres://user:password@host:port/db?sslmode=...`).
   * Undefined: pg's own defaults (PGHOST, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE..., ~/.pgpass).
   * Holds a password: never logged or echoed in an error.
   */
  readonly postgresUrl?: string | undefined;
  readonly logLevel: LogLevel;
  /** Undefined: human on a terminal, JSON otherwise (decided where the logger is made). */
  readonly logFormat?: LogFormat | undefined;
  /** TCP only: binding a non-loopback address is refused unless this is true. */
  readonly allowRemote: boolean;
  /** Refuse client certificates outside their validity dates (off: stored certificates are pins). */
  readonly rejectExpiredCertificates: boolean;
  readonly limits: DaemonLimits;
  readonly layout: Layout;
  /**
   * Prefixed to every default Multipass location (MULTIPASSD_MULTIPASS_ROOT, for tests and
   * packaging; '' on a real system): where a Multipass install is looked for and, with
   * `layout: multipass`, where its root CA goes.
   */
  readonly multipassRoot: string;
}

/** What a hostile local user can cost the daemon (README, Security). */
export interface DaemonLimits {
  readonly handshakeTimeoutMs: number;
  readonly untrustedConnectionTimeoutMs: number;
  readonly maxUntrustedConnections: number;
  readonly maxUntrustedConnectionsPerPeer: number;
  readonly passphraseGuessesPerMinute: number;
  readonly passphraseGuessesPerMinutePerPeer: number;
}

export const DEFAULT_LIMITS: DaemonLimits = {
  handshakeTimeoutMs: 10_000,
  untrustedConnectionTimeoutMs: 60_000,
  maxUntrustedConnections: 256,
  maxUntrustedConnectionsPerPeer: 32,
  passphraseGuessesPerMinute: 60,
  passphraseGuessesPerMinutePerPeer: 10,
};

/** Command-line flags; each overrides the environment, the file and the defaults. */
export interface DaemonFlags {
  readonly dataDir?: string | undefined;
  readonly config?: string | undefined;
  readonly address?: string | undefined;
  readonly socketGroup?: string | undefined;
  readonly store?: string | undefined;
  readonly layout?: string | undefined;
  /** Use this user's locations even as root (what `npm start` does). */
  readonly perUser?: boolean | undefined;
  /** Count of -v flags: 1 = debug, 2 or more = trace. */
  readonly verbosity?: number | undefined;
  readonly logFormat?: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const STORES: readonly StoreKind[] = ['pem', 'sqlite', 'postgres'];
const LAYOUTS: readonly Layout[] = ['native', 'multipass'];
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug', 'trace'];
const LOG_FORMATS: readonly LogFormat[] = ['json', 'human'];

/** The YAML keys, their environment variables, and how each value is checked. */
const KEYS = {
  store: { env: 'MULTIPASSD_STORE', check: oneOf(STORES) },
  postgres_url: { env: 'MULTIPASSD_POSTGRES_URL', check: postgresUrl },
  layout: { env: 'MULTIPASSD_LAYOUT', check: oneOf(LAYOUTS) },
  address: { env: 'MULTIPASSD_ADDRESS', check: address },
  socket_group: { env: 'MULTIPASSD_SOCKET_GROUP', check: nonEmpty },
  log_level: { env: 'MULTIPASSD_LOG_LEVEL', check: oneOf(LOG_LEVELS) },
  log_format: { env: 'MULTIPASSD_LOG_FORMAT', check: oneOf(LOG_FORMATS) },
  allow_remote: { env: 'MULTIPASSD_ALLOW_REMOTE', check: boolean },
  reject_expired_certificates: { env: 'MULTIPASSD_REJECT_EXPIRED_CERTIFICATES', check: boolean },
  handshake_timeout: { env: 'MULTIPASSD_HANDSHAKE_TIMEOUT', check: seconds },
  untrusted_connection_timeout: { env: 'MULTIPASSD_UNTRUSTED_CONNECTION_TIMEOUT', check: seconds },
  max_untrusted_connections: { env: 'MULTIPASSD_MAX_UNTRUSTED_CONNECTIONS', check: count },
  max_untrusted_connections_per_peer: { env: 'MULTIPASSD_MAX_UNTRUSTED_CONNECTIONS_PER_PEER', check: count },
  passphrase_guesses_per_minute: { env: 'MULTIPASSD_PASSPHRASE_GUESSES_PER_MINUTE', check: count },
  passphrase_guesses_per_minute_per_peer: { env: 'MULTIPASSD_PASSPHRASE_GUESSES_PER_MINUTE_PER_PEER', check: count },
} as const;

type Key = keyof typeof KEYS;
type Values = Partial<Record<Key, string | boolean | number>>;

/** Win32 has no Unix socket for Multipass: it listens on TCP, as Multipass does. */
export function defaultAddress(platform: NodeJS.Platform, env: Env, perUser = false): string {
  return platform === 'win32' ? 'localhost:50051' : `unix:${defaultSocketPath(env, perUser)}`;
}

/**
 * Precedence: flags > environment > config file > defaults. Reads the file but changes
 * nothing on disk, so an invalid configuration stops the daemon before anything is touched.
 * @throws ConfigError naming the key and where its value came from.
 */
export function resolveDaemonConfig(flags: DaemonFlags, env: Env, platform: NodeJS.Platform): DaemonConfig {
  const perUser = flags.perUser ?? false;
  const dataDir = flags.dataDir ?? nonBlank(env.vars.MULTIPASSD_DATA_DIR) ?? defaultDataDir(env, perUser);
  const explicitFile = flags.config ?? nonBlank(env.vars.MULTIPASSD_CONFIG);
  const configFile = explicitFile ?? defaultConfigPath(dataDir);
  const fromFile = readConfigFile(configFile, explicitFile !== undefined);
  const fromEnv = readEnvironment(env);
  const fromFlags = validated(
    { store: flags.store, layout: flags.layout, address: flags.address, socket_group: flags.socketGroup, log_level: flagLogLevel(flags.verbosity), log_format: flags.logFormat },
    'the command line',
  );
  const merged: Values = { ...fromFile.values, ...fromEnv, ...fromFlags };
  return {
    dataDir,
    configFile: fromFile.read ? configFile : undefined,
    address: (merged.address as string | undefined) ?? defaultAddress(platform, env, perUser),
    socketGroup: merged.socket_group as string | undefined,
    store: (merged.store as StoreKind | undefined) ?? 'pem',
    postgresUrl: merged.postgres_url as string | undefined,
    logLevel: (merged.log_level as LogLevel | undefined) ?? 'info',
    logFormat: merged.log_format as LogFormat | undefined,
    allowRemote: (merged.allow_remote as boolean | undefined) ?? false,
    rejectExpiredCertificates: (merged.reject_expired_certificates as boolean | undefined) ?? false,
    limits: limitsFrom(merged),
    layout: (merged.layout as Layout | undefined) ?? 'native',
    multipassRoot: multipassRootFrom(env),
  };
}

function limitsFrom(values: Values): DaemonLimits {
  const number = (key: Key, fallback: number, scale = 1): number => {
    const value = values[key] as number | undefined;
    return value === undefined ? fallback : Math.round(value * scale);
  };
  return {
    handshakeTimeoutMs: number('handshake_timeout', DEFAULT_LIMITS.handshakeTimeoutMs, 1000),
    untrustedConnectionTimeoutMs: number('untrusted_connection_timeout', DEFAULT_LIMITS.untrustedConnectionTimeoutMs, 1000),
    maxUntrustedConnections: number('max_untrusted_connections', DEFAULT_LIMITS.maxUntrustedConnections),
    maxUntrustedConnectionsPerPeer: number('max_untrusted_connections_per_peer', DEFAULT_LIMITS.maxUntrustedConnectionsPerPeer),
    passphraseGuessesPerMinute: number('passphrase_guesses_per_minute', DEFAULT_LIMITS.passphraseGuessesPerMinute),
    passphraseGuessesPerMinutePerPeer: number('passphrase_guesses_per_minute_per_peer', DEFAULT_LIMITS.passphraseGuessesPerMinutePerPeer),
  };
}

function flagLogLevel(verbosity: number | undefined): LogLevel | undefined {
  if (verbosity === undefined || verbosity <= 0) return undefined;
  return verbosity === 1 ? 'debug' : 'trace';
}

function readConfigFile(path: string, required: boolean): { read: boolean; values: Values } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return { read: false, values: {} };
    throw new ConfigError(`cannot read config file '${path}': ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file '${path}' is not valid YAML: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return { read: true, values: {} };
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`config file '${path}' must be a mapping of keys to values`);
  }
  const values = validated(document as Record<string, unknown>, `config file '${path}'`);
  requirePrivateIfSecret(path, values);
  return { read: true, values };
}

/**
 * A database password in the file makes it a secret: refused while other users may read it,
 * as OpenSSH refuses a readable private key.
 */
function requirePrivateIfSecret(path: string, values: Values): void {
  const url = values.postgres_url;
  if (typeof url !== 'string' || !hasPassword(url) || process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o044) !== 0) {
    throw new ConfigError(
      `config file '${path}' holds a database password (postgres_url) but other users may read it (mode ${mode.toString(8).padStart(4, '0')}): ` +
        `run 'chmod 600 ${path}', or keep the password in a PGPASSFILE instead`,
    );
  }
}

function readEnvironment(env: Env): Values {
  const raw: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(KEYS)) {
    const value = nonBlank(env.vars[spec.env]);
    if (value !== undefined) raw[key] = value;
  }
  return validated(raw, 'the environment');
}

function validated(raw: Record<string, unknown>, source: string): Values {
  const values: Values = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    // Own keys only: `in` would also match what every object inherits (constructor, toString,
    // and `__proto__`, which the YAML parser gives as an ordinary key).
    if (!Object.hasOwn(KEYS, key)) {
      throw new ConfigError(`unknown key '${key}' in ${source} (known keys: ${Object.keys(KEYS).join(', ')})`);
    }
    const problem = KEYS[key as Key].check(value);
    if (typeof problem === 'string') throw new ConfigError(`invalid value for '${key}' in ${source}: ${problem}`);
    values[key as Key] = problem.value;
  }
  return values;
}

type Check = (value: unknown) => string | { value: string | boolean | number };

function oneOf(allowed: readonly string[]): Check {
  return (value) =>
    typeof value === 'string' && allowed.includes(value)
      ? { value }
      : `expected one of ${allowed.join(', ')}, got ${shown(value)}`;
}

function nonEmpty(value: unknown): ReturnType<Check> {
  return typeof value === 'string' && value.trim() !== '' ? { value } : `expected a non-empty string, got ${shown(value)}`;
}

function boolean(value: unknown): ReturnType<Check> {
  if (typeof value === 'boolean') return { value };
  if (value === 'true' || value === '1') return { value: true };
  if (value === 'false' || value === '0') return { value: false };
  return `expected true or false, got ${shown(value)}`;
}

function address(value: unknown): ReturnType<Check> {
  if (typeof value !== 'string') return `expected unix:/path or host:port, got ${shown(value)}`;
  if (value.startsWith('unix:')) {
    return value.length > 'unix:'.length && value.slice(5).startsWith('/')
      ? { value }
      : `a unix address needs an absolute path (unix:/path), got '${value}'`;
  }
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  if (match === null || Number(match[2]) > 65535) return `expected unix:/path or host:port, got '${value}'`;
  return { value };
}

/** A value for an error message; YAML aliases can make a value that refers to itself. */
function shown(value: unknown): string {
  try {
    return String(JSON.stringify(value));
  } catch {
    return `a ${Array.isArray(value) ? 'list' : typeof value} that contains itself`;
  }
}

/** The value is never echoed: it may hold a password. */
function postgresUrl(value: unknown): ReturnType<Check> {
  return typeof value === 'string' && isPostgresUrl(value.trim())
    ? { value: value.trim() }
    : 'expected a postgres:// or postgresql:// URL (the value is not shown: it may hold a password)';
}

/** A duration in seconds (fractions allowed), from 0.1 s to an hour. */
function seconds(value: unknown): ReturnType<Check> {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 0.1 && parsed <= 3600
    ? { value: parsed }
    : `expected a number of seconds from 0.1 to 3600, got ${shown(value)}`;
}

/** A whole number from 1 to a million. */
function count(value: unknown): ReturnType<Check> {
  const parsed = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof parsed === 'number' && Number.isSafeInteger(parsed) && parsed >= 1 && parsed <= 1_000_000
    ? { value: parsed }
    : `expected a whole number from 1 to 1000000, got ${shown(value)}`;
}

/** Hidden on purpose (no flag, no YAML key): it moves where a real system's Multipass is looked for. */
function multipassRootFrom(env: Env): string {
  const root = nonBlank(env.vars.MULTIPASSD_MULTIPASS_ROOT);
  return root === undefined ? '' : resolvePath(root);
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
