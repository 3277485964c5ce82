import type pg from 'pg';
import { lazyPackage } from '../../system/lazy-package.js';
import { AuthError } from '../../../domain/auth-error.js';
import type { Logger } from '../../../ports/logger.js';
import { describeFailure, isConnectionFailure, isMissingSchema, storeError, storeOffline } from './postgres-errors.js';
import { prepareSchema, READY, type SchemaState } from './postgres-schema.js';
import type { PostgresTarget } from './postgres-target.js';

const pgPackage = lazyPackage<typeof pg>('pg');

/** Connections per daemon for queries; each store's LISTEN connection comes on top. */
export const POOL_SIZE = 4;

/**
 * The connections a daemon's PostgreSQL stores share: a small pg pool, and the schema made
 * ready once (created or migrated by the first store that needs it). Every failure reaches
 * the stores as an AuthError: `store-offline` when the database cannot be reached,
 * `store-unavailable` otherwise. Shared by reference count: the pool ends when the last
 * store using it is closed.
 */
export class PostgresPool {
  private readonly pool: pg.Pool;
  private ready = false;
  private users = 0;
  private ended: Promise<void> | undefined;

  constructor(
    readonly target: PostgresTarget,
    private readonly logger: Logger,
    size = POOL_SIZE,
  ) {
    this.pool = new (pgPackage().Pool)({ ...target.clientConfig(), max: size, idleTimeoutMillis: 30_000 });
    // An idle connection the server closed: the pool drops it; the next query opens another.
    this.pool.on('error', (error) => logger.debug('an idle connection to the PostgreSQL store closed', { error: describeFailure(target, error) }));
  }

  /** Counts a store in; `release` counts it out. */
  acquire(): this {
    this.users += 1;
    return this;
  }

  async release(): Promise<void> {
    this.users -= 1;
    if (this.users <= 0) {
      this.ended ??= this.pool.end().catch(() => undefined);
      await this.ended;
    }
  }

  /**
   * The schema's state, creating or migrating it when needed (see prepareSchema); with
   * `initialiseEmpty`, an emptied schema gets its tables too.
   * @throws AuthError `store-offline` or `store-unavailable`
   */
  async prepare(options: { readonly initialiseEmpty?: boolean } = {}): Promise<SchemaState> {
    if (this.ready) return READY;
    const state = await this.connected('open', (client) => prepareSchema(client, this.target, this.logger, options));
    this.ready = state.kind === 'ready';
    return state;
  }

  /**
   * Runs `work` on one connection of a ready schema; `initialiseEmpty` as for `prepare`.
   * A schema dropped under us (an admin starting afresh) is made again, once, and `work` retried.
   * @throws AuthError `store-unavailable` naming the damage when the schema is damaged.
   */
  async use<T>(action: string, work: (client: pg.PoolClient) => Promise<T>, options: { readonly initialiseEmpty?: boolean } = {}): Promise<T> {
    return this.useOr(action, work, options, (state) => {
      throw new AuthError('store-unavailable', state.problem);
    });
  }

  /** Like `use`, but an emptied schema (which only an explicit write fills) answers `fallback`. */
  async useUnlessEmptied<T>(action: string, fallback: T, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.useOr(action, work, {}, (state) => {
      if (state.emptied) return fallback;
      throw new AuthError('store-unavailable', state.problem);
    });
  }

  /** `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(action: string, work: (client: pg.PoolClient) => Promise<T>, options: { readonly initialiseEmpty?: boolean } = {}): Promise<T> {
    return this.use(action, (client) => inTransaction(client, () => work(client)), options);
  }

  private async useOr<T>(
    action: string,
    work: (client: pg.PoolClient) => Promise<T>,
    options: { readonly initialiseEmpty?: boolean },
    damaged: (state: Extract<SchemaState, { kind: 'damaged' }>) => T,
  ): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const state = await this.prepare(options);
      if (state.kind === 'damaged') return damaged(state);
      try {
        return await this.connected(action, work);
      } catch (error) {
        if (attempt > 0 || !isMissingSchema(AuthError.is(error) ? error.cause : error)) throw error;
        this.ready = false;
      }
    }
  }

  /**
   * One pooled connection for `work`; a broken one is discarded rather than returned to the
   * pool. Whatever keeps a session from being opened (no answer, a refused login, a server
   * certificate that does not verify, a CA file missing) is an outage: ridden out on the last
   * copy, its reason logged, retried.
   */
  private async connected<T>(action: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeOffline(this.target, error);
    }
    let broken = false;
    try {
      return await work(client);
    } catch (error) {
      broken = isConnectionFailure(error);
      throw storeError(this.target, action, error);
    } finally {
      client.release(broken);
    }
  }
}

/** BEGIN, `work`, COMMIT; ROLLBACK when `work` (or the commit) fails. */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
