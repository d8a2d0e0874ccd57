import { hostname } from 'node:os';
import { inject, injectable, optional } from 'inversify';
import { setClockTimeout, type Clock } from '../clock/index.js';
import { TOKENS } from '../di/tokens.js';
import { elect, type Election } from '../election/index.js';
import { ClosedError, InvalidArgumentError, isBatonError } from '../errors/index.js';
import type { Backend, LockManager, NodeRecord, Queue, Registration } from '../interfaces/index.js';
import { silentLogger, type Logger } from '../interfaces/logger.js';
import { resolveQueueOptions } from '../queue/index.js';
import { assertName, assertOptionsObject, nonNegativeIntOr, positiveIntOr } from '../validation/index.js';
import { CronSchedule, IntervalSchedule, type FireSchedule } from './fire-schedule.js';
import { PeriodicJob, type EveryOptions, type PeriodicFn } from './periodic-job.js';
import { SchedulerEmitter, type SchedulerEventName, type SchedulerListener } from './scheduler-events.js';
import { resolveSchedulerOptions, type ResolvedSchedulerOptions, type SchedulerOptions } from './scheduler-options.js';
import type { HandleOptions, TaskHandler } from './task-handler.js';
import { WorkerPool, type PoolEvents } from './worker-pool.js';

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** How many queues' recoveries one recovery round starts together. */
const RECOVERY_BATCH = 200;

/**
 * The distributed worker loop: every node runs one Scheduler on the same backend. It registers
 * the node (with heartbeats), runs the handlers of its queues with bounded concurrency, keeps
 * their leases alive, completes or fails each task, returns stalled tasks of dead nodes to their
 * queues, and runs periodic jobs once per tick across the cluster.
 */
@injectable()
export class Scheduler {
  /** This node's id in the registry. */
  readonly nodeId: string;
  private readonly settings: ResolvedSchedulerOptions;
  private readonly logger: Logger;
  private readonly emitter: SchedulerEmitter;
  private readonly pools = new Map<string, WorkerPool<unknown>>();
  private readonly jobs = new Map<string, PeriodicJob>();
  private readonly elections = new Set<Election>();
  private state: State = 'idle';
  private registration: Registration | undefined;
  private lockManager: LockManager | undefined;
  private cancelRecovery: () => void = () => undefined;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;

  /** Throws InvalidArgumentError for bad options. */
  constructor(
    @inject(TOKENS.Backend) private readonly backend: Backend,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) @optional() logger?: Logger,
    @inject(TOKENS.SchedulerOptions) @optional() options?: SchedulerOptions,
  ) {
    this.settings = resolveSchedulerOptions(options);
    this.nodeId = this.settings.nodeId;
    this.logger = logger ?? silentLogger;
    this.emitter = new SchedulerEmitter(this.logger);
  }

  /**
   * Runs `handler` for the tasks of `queue` on this node, up to `concurrency` at a time. Resolving
   * completes the task; throwing fails it (retried with backoff, dead-lettered after maxAttempts).
   * May be called before or after `start()`. Throws InvalidArgumentError for bad options or a
   * queue that already has a handler, ClosedError after `stop()`.
   */
  handle<T>(queue: string, handler: TaskHandler<T>, options: HandleOptions = {}): this {
    this.assertUsable();
    assertName('queue', queue);
    if (typeof handler !== 'function') throw new InvalidArgumentError('handler', 'must be a function');
    assertOptionsObject('options', options);
    if (this.pools.has(queue)) throw new InvalidArgumentError('queue', `"${queue}" already has a handler on this scheduler`);
    const concurrency = positiveIntOr('options.concurrency', options.concurrency, 1);
    const timeoutMs = options.timeoutMs === undefined ? undefined : positiveIntOr('options.timeoutMs', options.timeoutMs, 1);
    const leaseMs = resolveQueueOptions(options.queue).visibilityTimeoutMs;
    const q = this.backend.queue<T>(queue, options.queue);
    const pool = new WorkerPool<T>(
      q,
      handler,
      { nodeId: this.nodeId, concurrency, timeoutMs, leaseMs, idleWaitMs: this.settings.idleWaitMs, errorBackoffMs: this.settings.errorBackoffMs },
      this.clock,
      this.poolEvents<T>(),
    );
    this.pools.set(queue, pool as WorkerPool<unknown>);
    if (this.state === 'running') pool.start();
    return this;
  }

  /**
   * Runs `fn` once per tick across every node of the cluster that registered the same job name;
   * see PeriodicJob for how that is guaranteed. `schedule` is an interval in ms (integer >= 1;
   * tick k is due at k·interval, and a node runs the current tick at start) or a cron expression
   * (5 fields, or 6 with seconds first) read in `options.tz` (default 'UTC'; see CronSchedule for
   * daylight saving time), whose fire times each run once. Throws InvalidArgumentError for bad
   * arguments (naming a bad cron expression or an unknown time zone) or a duplicate name,
   * ClosedError after `stop()`.
   */
  every(name: string, schedule: number | string, fn: PeriodicFn, options: EveryOptions = {}): this {
    this.assertUsable();
    assertName('name', name);
    assertOptionsObject('options', options);
    let fireSchedule: FireSchedule;
    if (typeof schedule === 'string') {
      fireSchedule = new CronSchedule(schedule, options.tz ?? 'UTC', this.clock.now());
    } else {
      if (options.tz !== undefined) throw new InvalidArgumentError('options.tz', 'applies to a cron expression, not to an interval in ms');
      fireSchedule = new IntervalSchedule(schedule);
    }
    if (typeof fn !== 'function') throw new InvalidArgumentError('fn', 'must be a function');
    if (this.jobs.has(name)) throw new InvalidArgumentError('name', `periodic job "${name}" is already registered on this scheduler`);
    const job = new PeriodicJob(
      name,
      fireSchedule,
      fn,
      this.backend,
      this.clock,
      this.settings,
      {
        tick: (info) => this.emitter.emit('tick', info),
        error: (error, context) => this.emitter.emit('error', error, context),
        backendClosed: () => this.backendClosed(),
      },
      options,
    );
    this.jobs.set(name, job);
    if (this.state === 'running') job.start();
    return this;
  }

  /** Adds an event listener; see SchedulerEvents for each event's arguments. */
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Removes a listener added with `on`. */
  off<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    this.emitter.off(event, listener);
    return this;
  }

  /**
   * Registers this node (meta: host, pid, queues, concurrency, plus options.meta; heartbeats every
   * nodeTtlMs/3), recovers stalled tasks once, and starts the workers, periodic jobs and the
   * stalled-recovery timer. Idempotent while running; throws ClosedError after `stop()`.
   */
  start(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return Promise.reject(new ClosedError(`Scheduler "${this.nodeId}"`));
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  /**
   * Graceful shutdown: stops leasing, lets running tasks finish for up to `timeoutMs`, then aborts
   * the rest (their signal aborts with ClosedError) and hands their leases back with `fail(…,
   * { retryInMs: 0 })`, so another node picks them up at once. The interrupted attempt counts as
   * an attempt (a task on its last attempt is dead-lettered): the handler did run, partly, and
   * may have had effects. Idle workers waiting for work stop waiting at once (no timer has to
   * run out, so an idle scheduler stops in milliseconds, and under a ManualClock without the clock
   * moving); tasks leased by a lease step already under way when stop began are handed back the
   * same way without running. Then resigns this scheduler's elections (a campaign waiting for its
   * lock gives up at once) and deregisters the node. Idempotent (later calls return the same promise).
   * @default timeoutMs options.stopTimeoutMs (10_000 ms)
   */
  stop(options: { timeoutMs?: number } = {}): Promise<void> {
    assertOptionsObject('options', options);
    const timeoutMs = nonNegativeIntOr('options.timeoutMs', options.timeoutMs, this.settings.stopTimeoutMs);
    this.stopPromise ??= this.doStop(timeoutMs);
    return this.stopPromise;
  }

  /** The live nodes of this scheduler's group (this one included once started). */
  nodes(): Promise<NodeRecord[]> {
    return this.backend.registry(this.settings.group, { ttlMs: this.settings.nodeTtlMs }).list();
  }

  /**
   * Campaigns for leadership of `name` on this scheduler's backend; see `elect()`. The election
   * is resigned when the scheduler stops. @default ttlMs options.electionTtlMs (10_000 ms)
   */
  elect(name: string, options: { ttlMs?: number } = {}): Election {
    this.assertUsable();
    assertOptionsObject('options', options);
    this.lockManager ??= this.backend.locks();
    const election = elect(this.lockManager, name, {
      ttlMs: options.ttlMs ?? this.settings.electionTtlMs,
      clock: this.clock,
      logger: this.logger,
    });
    this.elections.add(election);
    return election;
  }

  private assertUsable(): void {
    if (this.state === 'stopping' || this.state === 'stopped') throw new ClosedError(`Scheduler "${this.nodeId}"`);
  }

  private async doStart(): Promise<void> {
    this.state = 'starting';
    try {
      const registry = this.backend.registry(this.settings.group, { ttlMs: this.settings.nodeTtlMs });
      this.registration = await registry.register(
        {
          id: this.nodeId,
          meta: { host: hostname(), pid: process.pid, queues: [...this.pools.keys()].join(','), concurrency: this.concurrency(), ...this.settings.meta },
        },
        { ttlMs: this.settings.nodeTtlMs },
      );
    } catch (error) {
      this.state = 'idle';
      this.startPromise = undefined;
      throw error;
    }
    if (this.state !== 'starting') return;
    this.state = 'running';
    for (const pool of this.pools.values()) pool.start();
    for (const job of this.jobs.values()) job.start();
    void this.recoverStalled();
  }

  private async doStop(timeoutMs: number): Promise<void> {
    if (this.startPromise) await this.startPromise.catch(() => undefined);
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.cancelRecovery();
    for (const job of this.jobs.values()) job.stopTicking();
    const pools = this.allPools();
    if (wasRunning) {
      for (const pool of pools) pool.beginStop();
      const timer = new AbortController();
      await Promise.race([Promise.all(pools.map((p) => p.drained())), this.clock.sleep(timeoutMs, timer.signal).catch(() => undefined)]);
      timer.abort();
      const reason = new ClosedError(`Scheduler "${this.nodeId}"`);
      for (const pool of pools) pool.abortRunning(reason);
      await Promise.all(pools.map((p) => p.finished()));
    }
    await Promise.all([...this.elections].map((e) => e.resign().catch((error: unknown) => this.emitter.emit('error', error, { during: 'resign' }))));
    await this.registration?.deregister().catch((error: unknown) => {
      if (!isBatonError(error, 'CLOSED')) this.emitter.emit('error', error, { during: 'deregister' });
    });
    this.state = 'stopped';
  }

  /**
   * Ends this node at once as if its process had died, for test harnesses and simulators: its
   * timers stop, running handlers' signals abort with `reason`, nothing more is recorded, nothing
   * is handed back and the node is not deregistered (its leases and registration expire by their
   * TTLs). `report` says why in an `error` event; without it none is emitted. The scheduler is
   * stopped afterwards. Close its backend too, so its heartbeats and lock renewals stop.
   */
  protected halt(reason: unknown = new ClosedError('The backend'), report?: string): void {
    if (this.state !== 'running' && this.state !== 'starting') return;
    this.state = 'stopped';
    this.stopPromise ??= Promise.resolve();
    this.cancelRecovery();
    for (const job of this.jobs.values()) job.stopTicking();
    for (const pool of this.allPools()) pool.halt(reason);
    if (report !== undefined) this.emitter.emit('error', reason, { nodeId: this.nodeId, during: 'run', note: report });
  }

  // The backend was closed under a running scheduler: nothing can be recorded any more, so this node
  // behaves as if it died; its leases run out and other nodes recover them.
  private backendClosed(): void {
    this.halt(new ClosedError('The backend'), 'the backend was closed while the scheduler ran; it stopped without handing back its leases');
  }

  // Queues are recovered RECOVERY_BATCH at a time, started in one turn, so a backend can answer a
  // batch with one call (the Redis backend first asks which of them hold an expired lease at all).
  private async recoverStalled(): Promise<void> {
    const queues: Queue<unknown>[] = [...this.pools.values()].map((p) => p.queue);
    for (const job of this.jobs.values()) queues.push(job.tickQueue as Queue<unknown>);
    for (let i = 0; i < queues.length; i += RECOVERY_BATCH) {
      if (this.state !== 'running') return;
      let closed = false;
      await Promise.all(
        queues.slice(i, i + RECOVERY_BATCH).map(async (queue) => {
          try {
            const count = await queue.recoverStalled();
            if (count > 0) this.emitter.emit('stalled', count, { queue: queue.name, nodeId: this.nodeId });
          } catch (error) {
            if (isBatonError(error, 'CLOSED')) closed = true;
            else this.emitter.emit('error', error, { queue: queue.name, during: 'recoverStalled' });
          }
        }),
      );
      if (closed) return this.backendClosed();
    }
    if (this.state !== 'running') return;
    this.cancelRecovery = setClockTimeout(this.clock, this.settings.recoverStalledIntervalMs, () => void this.recoverStalled());
  }

  private allPools(): WorkerPool<unknown>[] {
    return [...this.pools.values(), ...[...this.jobs.values()].map((j) => j.pool as WorkerPool<unknown>)];
  }

  private concurrency(): number {
    let total = 0;
    for (const pool of this.pools.values()) total += pool.concurrency;
    return total;
  }

  private poolEvents<T>(): PoolEvents<T> {
    return {
      completed: (task, info) => this.emitter.emit('completed', task, info),
      failed: (task, error, info) => {
        this.emitter.emit('failed', task, error, info);
        if (info.outcome === 'retry') this.emitter.emit('retrying', task, error, info);
        else this.emitter.emit('dead', task, error, info);
      },
      lost: (task, reason, info) => this.emitter.emit('lost', task, reason, info),
      cancelled: (task, reason, info) => this.emitter.emit('cancelled', task, reason, info),
      error: (error, context) => this.emitter.emit('error', error, context),
      backendClosed: () => this.backendClosed(),
    };
  }
}
