import {
  REGISTRY_DEFAULTS,
  silentLogger,
  SystemClock,
  InvalidArgumentError,
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
import { BackendContext } from './backend-context.js';
import { Connections, type RedisConnectionOptions } from './connections.js';
import { EvictionPolicyCheck, type BackendWarning } from './eviction-policy.js';
import { KeyLayout, type QueueKeys } from './key-layout.js';
import { LockGrants } from './locks/lock-grants.js';
import { RedisLockStore } from './locks/redis-lock-store.js';
import { RedisPermitStore, type PermitKind } from './locks/redis-permit-store.js';
import { KnownQueues } from './queue/known-queues.js';
import { QueueWaiter } from './queue/queue-waiter.js';
import { upgradeQueues, type QueueUpgrade, type UpgradeQueuesOptions } from './queue/queue-upgrade.js';
import { LimitWaiter, limitSpec } from './queue/limit-waiter.js';
import { StallProbe } from './queue/stall-probe.js';
import { DEFAULT_WAKE_SWEEP_MS, WakeHub } from './queue/wake-hub.js';
import { RedisQueueStore } from './queue/redis-queue-store.js';
import { ShardedQueueStore } from './queue/sharded-queue-store.js';
import { groupEvents } from './registry/group-events.js';
import { RedisRegistry } from './registry/redis-registry.js';
import { ScriptRunner } from './script-runner.js';
import { Subscriptions } from './subscriptions.js';

/** Backend settings besides the connection. */
export interface RedisBackendSettings {
  /** First part of every key and channel; backends with different prefixes never share state. @default 'baton' */
  prefix?: string;
  /** Source of time for leases, delays, retention and heartbeats. @default new SystemClock() */
  clock?: Clock;
  /** Where background failures (heartbeats, sweeps, reconnects) are logged. @default silentLogger */
  logger?: Logger;
  /**
   * How long (real ms) the first connection may take before operations fail with
   * BackendUnavailableError; a refused connection fails at once. Also ioredis's `connectTimeout`. @default 5_000
   */
  connectTimeoutMs?: number;
  /**
   * How long (real ms) one command may go unanswered before it fails with BackendUnavailableError,
   * so a frozen or half-open server never hangs a call; blocking waits get their own wait on top.
   * Not applied to a `client` you pass in (its own settings rule). @default 10_000
   */
  commandTimeoutMs?: number;
  /**
   * Refuse to run (every call rejects with UnsafeEvictionPolicyError) when the server's
   * `maxmemory-policy` may delete Baton's keys, instead of warning. Off by default because many
   * managed services run an evicting policy that the application cannot change; turn it on where
   * you own the server. See "Redis memory and eviction" in docs/redis.md. @default false
   */
  requireNoEviction?: boolean;
  /** Called with each warning about the server (an evicting `maxmemory-policy`), besides the log line. */
  onWarning?: (warning: BackendWarning) => void;
  /**
   * How often (ms) the backend, while any of its workers waits, checks in one call whether a queue
   * they wait on holds ready work they were not told of (a raw `LPUSH` by another client, a
   * wake-up lost with a dropped connection): the bound on how late such work is seen. @default 2_000
   */
  wakeSweepMs?: number;
}

/** Everything `new RedisBackend(…)` accepts: a connection (url, client or ioredis options) and settings. */
export type RedisBackendOptions = RedisConnectionOptions & RedisBackendSettings;

/**
 * The Redis backend (ioredis 6). Queues, registries and locks built from Lua scripts, one round
 * trip per operation; pub/sub on one connection for the waits of every queue (see WakeHub), lock
 * releases and registry events. Closes only the connections it created.
 */
export class RedisBackend implements Backend {
  readonly kind = 'redis';
  private readonly ctx: BackendContext;
  private readonly waiters = new Map<string, QueueWaiter>();
  private readonly known: KnownQueues;
  private readonly limitWaiters = new Map<string, LimitWaiter>();
  private readonly wakeHub: WakeHub;
  private readonly stallProbe: StallProbe;
  private readonly watches = new Map<string, GroupWatch>();
  private lockGrants: LockGrants | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: RedisBackendOptions) {
    assertOptionsObject('options', options);
    if (options === undefined) throw new InvalidArgumentError('options', 'must give url, client or ioredis connection options');
    const {
      prefix = 'baton',
      clock = new SystemClock(),
      logger = silentLogger,
      connectTimeoutMs,
      commandTimeoutMs,
      requireNoEviction = false,
      onWarning,
      wakeSweepMs,
      ...connection
    } = options;
    const sweepMs = positiveIntOr('options.wakeSweepMs', wakeSweepMs, DEFAULT_WAKE_SWEEP_MS);
    if (typeof prefix !== 'string' || prefix.length === 0) throw new InvalidArgumentError('options.prefix', 'must be a non-empty string');
    const timeout = positiveIntOr('options.connectTimeoutMs', connectTimeoutMs, 5_000);
    const commandTimeout = positiveIntOr('options.commandTimeoutMs', commandTimeoutMs, 10_000);
    const connections = new Connections(connection, timeout, logger, commandTimeout);
    if (typeof requireNoEviction !== 'boolean') throw new InvalidArgumentError('options.requireNoEviction', 'must be a boolean');
    if (onWarning !== undefined && typeof onWarning !== 'function') throw new InvalidArgumentError('options.onWarning', 'must be a function');
    // Checked once after the first connection: a warning by default, a refusal with requireNoEviction.
    const eviction = new EvictionPolicyCheck(connections.main, logger, requireNoEviction, onWarning);
    const ready = (): Promise<void> => (eviction.settled ? connections.ready() : connections.ready().then(() => eviction.run()));
    const runner = new ScriptRunner(connections.main, connections.address, ready);
    const subscriptions = new Subscriptions(() => connections.createSubscriber(), clock, logger);
    this.ctx = new BackendContext(clock, logger, new KeyLayout(prefix), connections, runner, subscriptions);
    this.known = new KnownQueues(this.ctx);
    this.wakeHub = new WakeHub(this.ctx, sweepMs);
    this.stallProbe = new StallProbe(this.ctx);
  }

  /** The key prefix of this backend. */
  get prefix(): string {
    return this.ctx.keys.prefix;
  }

  /**
   * See Backend.queue. `options.keys` binds explicit key names (`{ waiting: 'tasks', finished:
   * 'finished_tasks' }`); bound names carry no hash tag, so on a Redis Cluster a queue bound to
   * names only works when they hash to one slot. `options.shards` (> 1) spreads the queue over
   * that many hash tags `{queue:<name>:s<i>}` (see ShardedQueueStore); it cannot be combined with `keys`.
   */
  queue<T = unknown>(name: string, options?: QueueOptions): Queue<T> {
    this.ctx.assertOpen();
    assertName('name', name);
    const resolved = resolveQueueOptions(options);
    if (resolved.shards > 1) {
      if (Object.keys(resolved.keys).length > 0)
        throw new InvalidArgumentError('options.keys', 'cannot be combined with shards > 1 (bound names are one shard)');
      const shards = Array.from({ length: resolved.shards }, (_, i) => {
        const keys = this.ctx.keys.queue(`${name}:s${i}`);
        return new RedisQueueStore(name, resolved, this.ctx, keys, this.waiterFor(keys), this.stallProbe, this.known);
      });
      // one limit for the whole queue, on the keys of its unsharded tag (see ShardedQueueStore)
      const home = this.ctx.keys.queue(name);
      const limits = resolved.limits && { spec: limitSpec(resolved.limits), waiter: this.limitWaiterFor(home.slotsChannel), keys: home };
      return new StoreQueue<T>(name, new ShardedQueueStore(this.ctx, shards, limits, resolved.visibilityTimeoutMs), resolved, this.ctx);
    }
    const keys = this.ctx.keys.queue(name, resolved.keys);
    const limits = resolved.limits && { spec: limitSpec(resolved.limits), waiter: this.limitWaiterFor(keys.slotsChannel) };
    return new StoreQueue<T>(
      name,
      new RedisQueueStore(name, resolved, this.ctx, keys, this.waiterFor(keys), this.stallProbe, this.known, limits),
      resolved,
      this.ctx,
    );
  }

  // One waiter for freed slots per limited queue in this backend, shared by its handles.
  private limitWaiterFor(channel: string): LimitWaiter {
    let waiter = this.limitWaiters.get(channel);
    if (!waiter) {
      waiter = new LimitWaiter(this.ctx, channel);
      this.limitWaiters.set(channel, waiter);
    }
    return waiter;
  }

  // One waiter per wait list in this backend, shared by every handle on that queue (or shard).
  private waiterFor(keys: QueueKeys): QueueWaiter {
    let waiter = this.waiters.get(keys.wait);
    if (!waiter) {
      waiter = new QueueWaiter(this.ctx, keys, this.wakeHub);
      this.waiters.set(keys.wait, waiter);
    }
    return waiter;
  }

  /** See Backend.registry. `options.keys.members` binds the members set to an explicit name (e.g. 'nodes'). */
  registry(group: string, options?: RegistryOptions): Registry {
    this.ctx.assertOpen();
    assertName('group', group);
    assertOptionsObject('options', options);
    assertOptionsObject('options.keys', options?.keys);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, REGISTRY_DEFAULTS.ttlMs);
    const members = options?.keys?.members;
    if (members !== undefined) assertName('options.keys.members', members);
    const keys = this.ctx.keys.registry(group, members);
    let watch = this.watches.get(keys.members);
    if (!watch) {
      // the sweep lists the group through the registry handle made with the watch
      const holder: { registry?: RedisRegistry } = {};
      watch = new GroupWatch(this.ctx, groupEvents(this.ctx.subscriptions, keys.events), () => holder.registry!.sweep(), ttlMs, group);
      this.watches.set(keys.members, watch);
      holder.registry = new RedisRegistry(group, this.ctx, keys, ttlMs, watch);
      return holder.registry;
    }
    return new RedisRegistry(group, this.ctx, keys, ttlMs, watch);
  }

  /** See Backend.locks. `options.keys.lock` maps a resource to an explicit lock key (e.g. `(r) => r`). */
  locks(options?: LockOptions): LockManager {
    assertOptionsObject('options', options);
    assertOptionsObject('options.keys', options?.keys);
    const bound = options?.keys?.lock;
    if (bound !== undefined && typeof bound !== 'function') throw new InvalidArgumentError('options.keys.lock', 'must be a function of the resource');
    this.lockGrants ??= new LockGrants(this.ctx);
    const store = new RedisLockStore(this.ctx, this.lockGrants, bound);
    return new StoreLockManager(
      store,
      this.ctx.clock,
      options,
      this.ctx.logger,
      () => this.ctx.assertOpen(),
      (fn) => this.ctx.onClose(fn),
    );
  }

  /** See Backend.semaphores: core's StoreSemaphoreManager over the Redis permit store (keys under `{semaphore:<resource>}`). */
  semaphores(options?: SemaphoreOptions): SemaphoreManager {
    return new StoreSemaphoreManager(this.permitStore('semaphore'), this.ctx.clock, options, this.ctx.logger, this.assertOpen, this.onClose);
  }

  /** See Backend.rwlocks: core's StoreRwLockManager over the Redis permit store (keys under `{rwlock:<resource>}`). */
  rwlocks(options?: RwLockOptions): RwLockManager {
    return new StoreRwLockManager(this.permitStore('rwlock'), this.ctx.clock, options, this.ctx.logger, this.assertOpen, this.onClose);
  }

  /** See Backend.queues: the members of `<prefix>:{queues}`, to which a process adds a queue at its first enqueue or lease call. */
  async queues(): Promise<string[]> {
    this.assertOpen();
    return this.known.list();
  }

  /**
   * Converts the queues a first-generation Baton wrote under this prefix (an ids set where this
   * version keeps a hash, a dead ids set where it keeps a zset) to the current layout, one
   * upgradeQueue.lua call per queue (atomic: a queue is converted whole or not at all), and
   * resolves one report per queue, in name order. Waiting, delayed, finished and dead tasks stay
   * where they are; leases are kept and come back at their deadline if their holder stopped.
   * Idempotent: a converted or current queue is reported with `upgraded: false` and left as it is.
   * Run it with the processes of the earlier version stopped (PROTOCOL.md, "The same-version
   * rule"). Without `options.queues` the queues are found by a SCAN of the keyspace (every master
   * of a Cluster). Throws InvalidArgumentError for bad options, BackendUnavailableError when Redis
   * cannot be reached, BackendDataError when a queue key holds a type neither version writes.
   */
  async upgradeQueues(options?: UpgradeQueuesOptions): Promise<QueueUpgrade[]> {
    this.assertOpen();
    assertOptionsObject('options', options);
    return upgradeQueues(this.ctx, options);
  }

  // Lock, semaphore and read/write-lock waiters of this backend share its one grant channel.
  private permitStore(kind: PermitKind): RedisPermitStore {
    this.lockGrants ??= new LockGrants(this.ctx);
    return new RedisPermitStore(this.ctx, this.lockGrants, kind);
  }

  private readonly assertOpen = (): void => this.ctx.assertOpen();
  private readonly onClose = (fn: () => void): (() => void) => this.ctx.onClose(fn);

  /** See Backend.close: stops heartbeats, sweeps and waits, then closes the connections it created. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.ctx.close();
      this.ctx.subscriptions.close();
      this.closing = this.ctx.connections.close();
    }
    return this.closing;
  }
}

/** A ContainerModule binding TOKENS.Backend to a RedisBackend (closed when the container unbinds it). */
export function redisBackend(options: RedisConnectionOptions & Omit<RedisBackendSettings, 'clock' | 'logger'> & BackendModuleOptions): ContainerModule {
  const { clock, logger, ...rest } = options;
  return backendModule((c, l) => new RedisBackend({ ...rest, clock: c, logger: l }), { clock, logger });
}
