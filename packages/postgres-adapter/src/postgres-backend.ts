import {
  InvalidArgumentError,
  REGISTRY_DEFAULTS,
  silentLogger,
  SystemClock,
  type Backend,
  type Clock,
  type LockManager,
  type LockOptions,
  type Logger,
  type Queue,
  type QueueOptions,
  type Registry,
  type RegistryOptions,
  type RwLockManager,
  type RwLockOptions,
  type SemaphoreManager,
  type SemaphoreOptions,
} from '@baton/core';
import {
  assertName,
  assertOptionsObject,
  backendModule,
  GroupWatch,
  positiveIntOr,
  resolveQueueOptions,
  StoreLockManager,
  StoreQueue,
  StoreRwLockManager,
  StoreSemaphoreManager,
  type BackendModuleOptions,
} from '@baton/core/adapter';
import type { ContainerModule } from 'inversify';
import { PgContext } from './backend-context.js';
import { Database, type PostgresConnectionOptions } from './connection/database.js';
import { Listener } from './connection/listener.js';
import { LockWaiters } from './locks/lock-waiters.js';
import { PgLockStore } from './locks/pg-lock-store.js';
import { PgPermitStore } from './locks/pg-permit-store.js';
import { groupEvents } from './registry/group-events.js';
import { PgRegistry } from './registry/pg-registry.js';
import { adminSql, type AdminSql } from './queue/admin-sql.js';
import { FinishedPruner } from './queue/finished-pruner.js';
import { KnownQueues } from './queue/known-queues.js';
import { PgQueueAdmin } from './queue/pg-queue-admin.js';
import { PgQueueEvents } from './queue/pg-queue-events.js';
import { PgQueueStore } from './queue/pg-queue-store.js';
import { queueSql, type QueueSql } from './queue/queue-sql.js';
import { QueueWaiter } from './queue/queue-waiter.js';
import { assertSchemaName, channelName, DEFAULT_SCHEMA } from './schema/identifiers.js';

/** Backend settings besides the connection. */
export interface PostgresBackendSettings {
  /** The schema Baton's tables live in; backends with different schemas share nothing. @default 'baton' */
  schema?: string;
  /**
   * Bring the schema to this version on first use (under an advisory lock, so processes starting
   * together are safe). With false, the first statement fails with BackendDataError unless
   * `migrate()` (or `baton migrate`) ran before. @default true
   */
  migrate?: boolean;
  /** Clock for local timers (lock and lease deadlines, heartbeats); expiries are judged by the database's clock. @default new SystemClock() */
  clock?: Clock;
  /** Where background failures (heartbeats, sweeps, reconnects) are logged. @default silentLogger */
  logger?: Logger;
  /** How long (ms) opening a connection may take before the operation fails with BackendUnavailableError. @default 5_000 */
  connectTimeoutMs?: number;
  /**
   * How long (ms) one statement may go unanswered before it fails with BackendUnavailableError, so
   * a frozen server never hangs a call. Applied to the connections Baton creates, not to a given
   * `pool`. @default 10_000
   */
  commandTimeoutMs?: number;
  /**
   * Send Baton's statements as named prepared statements, so each connection parses and plans
   * each statement once (a single enqueue then costs the server about a tenth of the CPU). Set
   * false behind a transaction-pooling proxy that does not track prepared statements (PgBouncer
   * before 1.21, or 1.21+ with `max_prepared_statements = 0`). @default true
   */
  preparedStatements?: boolean;
}

/** Everything `new PostgresBackend(…)` accepts: a connection (connectionString, pool or `pg` settings) and settings. */
export type PostgresBackendOptions = PostgresConnectionOptions & PostgresBackendSettings;

/**
 * The PostgreSQL backend (`pg` 8). Queues, locks and registry rows in a schema of their own, every
 * expiry judged by the database clock, waiters and watchers woken by LISTEN/NOTIFY on one
 * dedicated connection per backend. Ends only the pool it created.
 */
export class PostgresBackend implements Backend {
  readonly kind = 'postgres';
  private readonly ctx: PgContext;
  private readonly watches = new Map<string, GroupWatch>();
  private readonly queueWaiters = new Map<string, QueueWaiter>();
  private readonly queueEvents = new Map<string, PgQueueEvents>();
  private readonly lockWaiters: LockWaiters;
  private queueStatements: { sql: QueueSql; admin: AdminSql; pruner: FinishedPruner; known: KnownQueues } | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: PostgresBackendOptions) {
    assertOptionsObject('options', options);
    if (options === undefined) throw new InvalidArgumentError('options', 'must give connectionString, pool or pg connection settings');
    const {
      schema = DEFAULT_SCHEMA,
      migrate = true,
      clock = new SystemClock(),
      logger = silentLogger,
      connectTimeoutMs,
      commandTimeoutMs,
      preparedStatements = true,
      ...connection
    } = options;
    assertSchemaName('options.schema', schema);
    if (typeof migrate !== 'boolean') throw new InvalidArgumentError('options.migrate', 'must be a boolean');
    if (typeof preparedStatements !== 'boolean') throw new InvalidArgumentError('options.preparedStatements', 'must be a boolean');
    const settings = {
      schema,
      migrate,
      connectTimeoutMs: positiveIntOr('options.connectTimeoutMs', connectTimeoutMs, 5_000),
      commandTimeoutMs: positiveIntOr('options.commandTimeoutMs', commandTimeoutMs, 10_000),
      preparedStatements,
    };
    const db = new Database(connection, settings, logger);
    const listener = new Listener(db.listenConfig, clock, logger, db.address);
    this.ctx = new PgContext(clock, logger, db, listener);
    this.lockWaiters = new LockWaiters(this.ctx);
    // Migrate (or check) the schema and open the LISTEN session at start-up, so that neither the
    // first operation nor the first wait or watch waits for them; a failure here is reported by
    // the operation that needs them, which tries again.
    db.ready().catch((error: unknown) => logger.debug('preparing the schema failed; the first operation tries again', { error: String(error) }));
    listener.session().catch((error: unknown) => logger.debug('opening the LISTEN session failed; retrying', { error: String(error) }));
  }

  /** The schema of this backend. */
  get schema(): string {
    return this.ctx.schema;
  }

  /** Resolves once the schema is migrated (or checked) and the pool answers; rejects with a BatonError otherwise. */
  async ready(): Promise<void> {
    this.ctx.assertOpen();
    await this.ctx.db.ready();
  }

  /**
   * See Backend.queue. `options.shards` is accepted and changes nothing (one table serves the
   * whole queue in one order, which is what any shard count promises); `options.keys` is ignored.
   */
  queue<T = unknown>(name: string, options?: QueueOptions): Queue<T> {
    this.ctx.assertOpen();
    assertName('name', name);
    const resolved = resolveQueueOptions(options);
    const { sql, admin, pruner, known } = this.statements();
    let waiter = this.queueWaiters.get(name);
    if (!waiter) {
      waiter = new QueueWaiter(this.ctx, channelName(this.ctx.schema, 'queue', name));
      this.queueWaiters.set(name, waiter);
    }
    let events = this.queueEvents.get(name);
    if (!events) {
      events = new PgQueueEvents(this.ctx, name, channelName(this.ctx.schema, 'events', name), sql);
      this.queueEvents.set(name, events);
    }
    const store = new PgQueueStore(
      name,
      resolved,
      this.ctx,
      sql,
      waiter,
      pruner,
      events,
      known,
      new PgQueueAdmin(name, resolved, this.ctx, admin, waiter.channel),
    );
    return new StoreQueue<T>(name, store, resolved, this.ctx);
  }

  // The queue statements and their helpers, made with the first queue handle.
  private statements(): { sql: QueueSql; admin: AdminSql; pruner: FinishedPruner; known: KnownQueues } {
    if (!this.queueStatements) {
      const sql = queueSql(this.ctx.db.s);
      const admin = adminSql(this.ctx.db.s);
      this.queueStatements = { sql, admin, pruner: new FinishedPruner(this.ctx, sql.prune), known: new KnownQueues(this.ctx, admin.known) };
    }
    return this.queueStatements;
  }

  /** See Backend.registry. `options.keys` is ignored (rows carry the group name). */
  registry(group: string, options?: RegistryOptions): Registry {
    this.ctx.assertOpen();
    assertName('group', group);
    assertOptionsObject('options', options);
    assertOptionsObject('options.keys', options?.keys);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, REGISTRY_DEFAULTS.ttlMs);
    const channel = channelName(this.ctx.schema, 'registry', group);
    let watch = this.watches.get(group);
    if (!watch) {
      // the watch sweeps through the registry handle made with it
      const holder: { registry?: PgRegistry } = {};
      watch = new GroupWatch(this.ctx, groupEvents(this.ctx.listener, channel), () => holder.registry!.sweep(), ttlMs, group);
      this.watches.set(group, watch);
      holder.registry = new PgRegistry(group, this.ctx, ttlMs, channel, watch);
      return holder.registry;
    }
    return new PgRegistry(group, this.ctx, ttlMs, channel, watch);
  }

  /** See Backend.locks. `options.keys` is ignored (rows carry the resource name). */
  locks(options?: LockOptions): LockManager {
    assertOptionsObject('options', options);
    return new StoreLockManager(new PgLockStore(this.ctx, this.lockWaiters), this.ctx.clock, options, this.ctx.logger, this.assertOpen, this.onClose);
  }

  /** See Backend.semaphores: core's StoreSemaphoreManager over the PostgreSQL permit store (rows of kind 'semaphore'). */
  semaphores(options?: SemaphoreOptions): SemaphoreManager {
    const store = new PgPermitStore(this.ctx, this.lockWaiters, 'semaphore');
    return new StoreSemaphoreManager(store, this.ctx.clock, options, this.ctx.logger, this.assertOpen, this.onClose);
  }

  /** See Backend.rwlocks: core's StoreRwLockManager over the PostgreSQL permit store (rows of kind 'rwlock'). */
  rwlocks(options?: RwLockOptions): RwLockManager {
    const store = new PgPermitStore(this.ctx, this.lockWaiters, 'rwlock');
    return new StoreRwLockManager(store, this.ctx.clock, options, this.ctx.logger, this.assertOpen, this.onClose);
  }

  /** See Backend.queues: the rows of `queues`, written by the first enqueue or lease call of each queue name on every backend. */
  async queues(): Promise<string[]> {
    this.assertOpen();
    const rows = await this.ctx.db.query<{ queue: string }>(this.statements().admin.queues);
    return rows.map((r) => r.queue);
  }

  private readonly assertOpen = (): void => this.ctx.assertOpen();
  private readonly onClose = (fn: () => void): (() => void) => this.ctx.onClose(fn);

  /** See Backend.close: stops heartbeats, sweeps and waits, closes the LISTEN connection and the pool it created. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.ctx.close();
      this.closing = Promise.all([this.ctx.listener.close(), this.ctx.db.close()]).then(() => undefined);
    }
    return this.closing;
  }
}

/**
 * A ContainerModule binding TOKENS.Backend to a PostgresBackend (closed when the container
 * unbinds it): `container.load(postgresBackend({ connectionString }))`.
 */
export function postgresBackend(
  options: PostgresConnectionOptions & Omit<PostgresBackendSettings, 'clock' | 'logger'> & BackendModuleOptions,
): ContainerModule {
  const { clock, logger, ...rest } = options;
  return backendModule((c, l) => new PostgresBackend({ ...rest, clock: c, logger: l }), { clock, logger });
}
