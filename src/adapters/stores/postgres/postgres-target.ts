import { userInfo } from 'node:os';
import type { ClientConfig } from 'pg';

/** Seconds a connection attempt may take before the database counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5000;
/** A statement that has not answered by then is treated as a lost connection. */
const QUERY_TIMEOUT_MS = 10_000;

/**
 * Which PostgreSQL database holds the store: the `postgres_url` of the config, completed by
 * pg's own defaults (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE..., then
 * localhost:5432 as the OS user), as node-postgres reads them. What it says about itself never
 * holds the password: `describe()` for the admin's messages, `scrub()` for any text that
 * may have picked it up.
 */
export class PostgresTarget {
  private readonly secrets: readonly string[];

  constructor(
    readonly url: string | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    const password = url === undefined ? undefined : urlParts(url)?.password;
    this.secrets = [password, password === undefined ? undefined : encodeURIComponent(password), env.PGPASSWORD, url]
      .filter((secret): secret is string => secret !== undefined && secret !== '')
      .sort((a, b) => b.length - a.length);
  }

  /** `user@host:port/database` as pg will connect (a Unix socket's directory as the host). */
  describe(): string {
    const parts = this.url === undefined ? {} : (urlParts(this.url) ?? {});
    const user = parts.user || this.env.PGUSER || osUser();
    const host = parts.host || this.env.PGHOST || 'localhost';
    const port = parts.port || this.env.PGPORT || '5432';
    const database = parts.database || this.env.PGDATABASE || user;
    return `${user}@${host}:${port}/${database}`;
  }

  /** `text` with the password, and the URL that holds it, replaced by `***`. */
  scrub(text: string): string {
    let clean = text;
    for (const secret of this.secrets) clean = clean.split(secret).join(secret === this.url ? redactUrl(secret) : '***');
    return clean;
  }

  /**
   * What pg's Client and Pool are built with. The URL's own parameters (sslmode, sslrootcert,
   * application_name, connect_timeout...) win over these defaults, as pg applies them.
   */
  clientConfig(): ClientConfig {
    return {
      ...(this.url === undefined ? {} : { connectionString: this.url }),
      application_name: 'multipassd',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    };
  }
}

/** The URL with its password (in the authority or as a parameter) replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^/?#]*@/i, '$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** Whether `value` reads as a URL pg takes (`postgres://` or `postgresql://`), never echoing it. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value) && urlParts(value) !== undefined;
}

/** Whether the URL carries a password (in the authority or as a parameter). */
export function hasPassword(url: string): boolean {
  return (urlParts(url)?.password ?? '') !== '';
}

interface UrlParts {
  readonly user?: string;
  readonly password?: string;
  readonly host?: string;
  readonly port?: string;
  readonly database?: string;
}

/** The connection facts in a postgres URL, read as pg-connection-string reads them (`host=` may name a socket directory). */
function urlParts(url: string): UrlParts | undefined {
  let parsed: URL;
  try {
    // An empty host (`postgres://user@/db?host=/run/postgresql`) is legal for pg, not for URL.
    parsed = new URL(url.replace(/@\//, '@placeholder.invalid/'));
  } catch {
    return undefined;
  }
  const param = (name: string) => parsed.searchParams.get(name) ?? undefined;
  const decoded = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const hostname = parsed.hostname === 'placeholder.invalid' ? '' : decoded(parsed.hostname);
  return {
    user: param('user') ?? decoded(parsed.username),
    password: param('password') ?? decoded(parsed.password),
    host: param('host') ?? hostname,
    port: param('port') ?? parsed.port,
    database: decoded(parsed.pathname.slice(1)),
  };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}
