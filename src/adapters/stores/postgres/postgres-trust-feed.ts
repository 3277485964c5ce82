import type pg from 'pg';
import { lazyPackage } from '../../system/lazy-package.js';
import { isFingerprint, type Fingerprint } from '../../../domain/fingerprint.js';
import type { Logger } from '../../../ports/logger.js';
import { TRUST_CHANNEL } from './migrations.js';
import { describeFailure } from './postgres-errors.js';
import type { PostgresTarget } from './postgres-target.js';

const pgPackage = lazyPackage<typeof pg>('pg');

/** One change to the trusted set, as the database announced it (see migrations.ts). */
export interface TrustAnnouncement {
  /** `trust_state.version` after the change: announcements come in this order, one apart. */
  readonly version: number;
  /** `reload`: too many, or an edit the payload cannot describe; read the whole table. */
  readonly change: 'add' | 'remove' | 'reload';
  readonly fingerprints: readonly Fingerprint[];
}

export interface TrustFeedEvents {
  /** An announcement, in commit order. */
  announced(announcement: TrustAnnouncement): void;
  /**
   * The connection is (again) up and listening: catch up on what changed while it was not.
   * It runs on the feed's own connection; a rejection drops the connection and retries.
   */
  connected(): Promise<void>;
  /** The connection went away (or never came): reconnecting in the background. */
  lost(reason: string): void;
}

/** How long to wait before reconnecting: doubling from `initialMs` up to `maxMs`, with jitter. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 5000 };

/** The heartbeat's answer must come within this, or the connection counts as dead. */
const HEARTBEAT_TIMEOUT_MS = 3000;

/**
 * The daemon's dedicated LISTEN connection (outside the pool): it delivers every change to
 * the trusted set pushed by the database, and carries the heartbeat (`query`) that finds a
 * connection a firewall dropped silently. When it breaks it reconnects with exponential
 * backoff for as long as the store is open, and each new connection starts with a catch-up.
 */
export class PostgresTrustFeed {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private attempt: Promise<boolean> | undefined;

  constructor(
    private readonly target: PostgresTarget,
    private readonly logger: Logger,
    private readonly events: TrustFeedEvents,
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
  ) {}

  /** Whether the connection is up and listening. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connects now (once at a time); false when it could not, and a retry is then scheduled. */
  connect(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.client !== undefined) return Promise.resolve(true);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.attempt ??= this.tryConnect().finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  /**
   * Runs a query on the listening connection; undefined when it is down. A failure or a
   * timeout drops the connection (and reconnects), so a dead one is found by the next call.
   */
  async query<R extends pg.QueryResultRow>(text: string): Promise<R[] | undefined> {
    const client = this.client;
    if (client === undefined) return undefined;
    try {
      return (await client.query<R>({ text, query_timeout: HEARTBEAT_TIMEOUT_MS } as pg.QueryConfig)).rows;
    } catch (error) {
      this.drop(client, error);
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.attempt?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await endQuietly(client, true);
  }

  private async tryConnect(): Promise<boolean> {
    const client = new (pgPackage().Client)(this.target.clientConfig());
    client.on('error', (error) => this.drop(client, error));
    client.on('end', () => this.drop(client, new Error('the connection closed')));
    client.on('notification', (message) => {
      if (message.channel !== TRUST_CHANNEL || this.client !== client) return;
      this.events.announced(announcementOf(message.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TRUST_CHANNEL}`);
      if (this.closed) throw new Error('closed');
      this.client = client;
      await this.events.connected();
      if (this.client !== client) return false;
      this.failures = 0;
      return true;
    } catch (error) {
      if (this.client === client) this.client = undefined;
      await endQuietly(client, false);
      if (!this.closed) {
        this.events.lost(describeFailure(this.target, error));
        this.scheduleReconnect();
      }
      return false;
    }
  }

  /** Forgets a connection that failed (once: `error` and `end` both come) and reconnects later. */
  private drop(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.connection.stream.destroy();
    if (this.closed) return;
    this.events.lost(describeFailure(this.target, error));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer !== undefined) return;
    const ceiling = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.failures);
    this.failures += 1;
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.logger.debug('reconnecting to the PostgreSQL store later', { database: this.target.describe(), inMs: Math.round(delay) });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
    this.timer.unref();
  }
}

/** An announcement as sent by announce_trust_change; anything unreadable asks for a reload. */
export function announcementOf(payload: string | undefined): TrustAnnouncement {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload ?? '');
  } catch {
    return { version: Number.NaN, change: 'reload', fingerprints: [] };
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const version = typeof record.v === 'number' && Number.isSafeInteger(record.v) ? record.v : Number.NaN;
  const listed = Array.isArray(record.fingerprints) ? record.fingerprints : [];
  const fingerprints = listed.filter((value): value is Fingerprint => typeof value === 'string' && isFingerprint(value));
  const change = record.change === 'add' || record.change === 'remove' ? record.change : 'reload';
  return fingerprints.length === listed.length ? { version, change, fingerprints } : { version, change: 'reload', fingerprints: [] };
}

/** Says goodbye to the server when `graceful` (for at most a second), then closes the socket. */
async function endQuietly(client: pg.Client, graceful: boolean): Promise<void> {
  try {
    if (graceful) await Promise.race([client.end(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  } catch {
    // already gone
  }
  client.connection.stream.destroy();
}
