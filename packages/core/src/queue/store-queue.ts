import { SystemClock, type Clock } from '../clock/index.js';
import { InvalidArgumentError, NotSupportedError } from '../errors/index.js';
import type {
  CancelResult,
  CompleteOptions,
  DequeueOptions,
  EnqueueOptions,
  EnqueueResult,
  Lease,
  ListOptions,
  PurgeableState,
  Queue,
  QueueEvent,
  QueueStats,
  QueueWatch,
  RemoveResult,
  RetryDeadTarget,
  Task,
  TaskInfo,
  TaskOutcome,
  TaskPage,
  TaskState,
  WaitOptions,
  WatchOptions,
} from '../interfaces/index.js';
import { silentLogger, type Logger } from '../interfaces/logger.js';
import { assertName, assertOptionsObject, assertPositiveInt, MAX_PROGRESS_BYTES, nonNegativeIntOr, positiveIntOr, serializeJson } from '../validation/index.js';
import { backoffDelay } from './backoff.js';
import { newTaskId } from '../ids/index.js';
import { OutcomeWaiters } from './outcome-waiters.js';
import { assertLease, errorMessage, prepareItem, prepareTask, type PreparedTask } from './queue-input.js';
import { MAX_BATCH, type ResolvedQueueOptions } from './queue-options.js';
import type { FailDecision, LeaseWait, QueueStore } from './queue-store.js';
import { checkWaitOptions, watchQueue } from './queue-watch.js';
import { instrumentEnqueue, isInstrumented } from '../instrumentation/index.js';
import { getTask, listTasks, purgeTasks, retryDeadTasks } from './queue-inspection.js';

/** Longest cancel reason accepted, in characters. */
const MAX_REASON_LENGTH = 2_000;

/** What a StoreQueue needs from its backend besides the store. A BackendLifecycle subclass with a `clock` is one. */
export interface StoreQueueContext {
  /** Throws ClosedError once the backend was closed (a BackendLifecycle is one). */
  assertOpen(): void;
  /** Returns a number in [0, 1) for the backoff jitter; inject it for repeatable tests. @default Math.random */
  random?: () => number;
  /** Times `waitFor` timeouts. @default new SystemClock() */
  clock?: Clock;
  /** Where a watch listener that threw is reported. @default silentLogger */
  logger?: Logger;
  /** Runs `fn` when the backend closes; returns a function that cancels it. Pending waits end with ClosedError. @default none */
  onClose?(fn: () => void): () => void;
}

/**
 * The Queue of every backend, written once over the backend's QueueStore: argument checks
 * (InvalidArgumentError naming the argument), ClosedError once the backend closed (checked
 * before the arguments), payload serialization and size limit, generated ids, and the retry or
 * dead-letter decision from the attempt count and the backoff policy. `options` are the handle's,
 * resolved by resolveQueueOptions; give the store the same ones.
 */
export class StoreQueue<T = unknown> implements Queue<T> {
  private readonly random: () => number;
  private waiters: OutcomeWaiters | undefined;

  constructor(
    readonly name: string,
    private readonly store: QueueStore,
    private readonly options: ResolvedQueueOptions,
    private readonly ctx: StoreQueueContext,
  ) {
    assertName('name', name);
    // A store that cannot enforce limits would lease past them: refuse rather than ignore.
    if (options.limits !== undefined && !store.supports?.limits) throw new NotSupportedError('options.limits', 'limits');
    this.random = ctx.random ?? Math.random;
  }

  /**
   * True when the store's waiting lease calls hear of every task made ready and recover a lost
   * wake-up themselves (QueueStoreSupport.wakeups): a worker may wait until woken.
   */
  get waitsUntilWoken(): boolean {
    return this.store.supports?.wakeups === true;
  }

  /** See Queue.enqueue. */
  async enqueue(payload: T, options?: EnqueueOptions): Promise<EnqueueResult> {
    this.ctx.assertOpen();
    const task = prepareTask('options', payload, options, this.options.maxPayloadBytes, newTaskId);
    this.assertStorable(task, 'options');
    const [result] = await this.add([task]);
    return result!;
  }

  /** See Queue.enqueueMany. */
  async enqueueMany(items: Array<{ payload: T } & EnqueueOptions>): Promise<EnqueueResult[]> {
    this.ctx.assertOpen();
    if (!Array.isArray(items)) throw new InvalidArgumentError('items', 'must be an array');
    if (items.length > MAX_BATCH) throw new InvalidArgumentError('items', `must hold at most ${MAX_BATCH} tasks, got ${items.length}`);
    if (items.length === 0) return [];
    const tasks = new Array<PreparedTask>(items.length);
    for (let i = 0; i < items.length; i++) {
      const task = prepareItem(items, i, this.options.maxPayloadBytes, newTaskId);
      if (task.priority !== 0 || task.headers !== undefined) this.assertStorable(task, `items[${i}]`);
      tasks[i] = task;
    }
    return this.add(tasks);
  }

  // The store step of an enqueue, inside the installed instrumentations (tracing adds its headers here).
  private add(tasks: PreparedTask[]): Promise<EnqueueResult[]> {
    if (!isInstrumented()) return this.store.add(tasks);
    return instrumentEnqueue({ queue: this.name, tasks, headersSupported: this.store.supports?.headers === true }, () => this.store.add(tasks));
  }

  /** See Queue.dequeue. */
  async dequeue(options?: DequeueOptions): Promise<Lease<T> | null> {
    const [lease] = await this.dequeueMany(1, options);
    return lease ?? null;
  }

  /** See Queue.dequeueMany. */
  async dequeueMany(max: number, options?: DequeueOptions): Promise<Lease<T>[]> {
    this.ctx.assertOpen();
    assertPositiveInt('max', max);
    if (max > MAX_BATCH) throw new InvalidArgumentError('max', `must be at most ${MAX_BATCH}, got ${max}`);
    assertOptionsObject('options', options);
    const waitMs = nonNegativeIntOr('options.waitMs', options?.waitMs, 0);
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError('options.signal', 'must be an AbortSignal when given');
    const holder = options?.holder;
    if (holder !== undefined) assertName('options.holder', holder);
    // The caller gave up before asking: nothing is taken (a store would still hand over what is ready).
    if (signal?.aborted) return [];
    const wait: LeaseWait = { waitMs };
    if (signal !== undefined) wait.signal = signal;
    if (holder !== undefined) wait.holder = holder;
    const leases = (await this.store.lease(max, wait)) as Lease<T>[];
    if (!this.store.supports?.priorities) for (const lease of leases) lease.priority = 0;
    return leases;
  }

  /** See Queue.complete. */
  async complete(lease: Lease<T>, options?: CompleteOptions): Promise<boolean> {
    this.ctx.assertOpen();
    assertLease(lease);
    assertOptionsObject('options', options);
    const result = options?.result;
    if (result === undefined) return this.store.complete(lease);
    const json = serializeJson(result, this.options.maxPayloadBytes, 'result', 'maxPayloadBytes');
    if (!this.store.supports?.results) throw new NotSupportedError('options.result', 'results');
    return this.store.complete(lease, json);
  }

  /** See Queue.fail. */
  async fail(lease: Lease<T>, error: unknown, options?: { retryInMs?: number }): Promise<'retry' | 'dead' | 'lost'> {
    this.ctx.assertOpen();
    assertLease(lease);
    assertOptionsObject('options', options);
    const explicit = nonNegativeIntOr('options.retryInMs', options?.retryInMs, -1);
    const attempt = typeof lease.attempt === 'number' ? lease.attempt : 1;
    const decision: FailDecision = {
      message: errorMessage(error),
      dead: attempt >= this.options.maxAttempts,
      retryInMs: explicit >= 0 ? explicit : backoffDelay(attempt, this.options.backoff, this.random),
    };
    const held = await this.store.fail(lease, decision);
    if (!held) return 'lost';
    return decision.dead ? 'dead' : 'retry';
  }

  /** See Queue.extend. */
  async extend(lease: Lease<T>, ms: number): Promise<boolean> {
    this.ctx.assertOpen();
    assertLease(lease);
    assertPositiveInt('ms', ms);
    return this.store.extend(lease, ms);
  }

  /** See Queue.isFinished. */
  async isFinished(id: string): Promise<boolean> {
    this.ctx.assertOpen();
    assertName('id', id);
    return this.store.isFinished(id);
  }

  /** See Queue.recoverStalled. */
  async recoverStalled(): Promise<number> {
    this.ctx.assertOpen();
    return this.store.recoverStalled();
  }

  /** See Queue.stats. */
  async stats(): Promise<QueueStats> {
    this.ctx.assertOpen();
    return this.store.stats();
  }

  /** See Queue.deadLetters. */
  async deadLetters(limit?: number): Promise<Task<T>[]> {
    this.ctx.assertOpen();
    const n = positiveIntOr('limit', limit, 100);
    if (n > MAX_BATCH) throw new InvalidArgumentError('limit', `must be at most ${MAX_BATCH}, got ${n}`);
    const tasks = (await this.store.deadLetters(n)) as Task<T>[];
    if (!this.store.supports?.priorities) for (const task of tasks) task.priority = 0;
    return tasks;
  }

  /** See Queue.cancel. */
  async cancel(id: string, reason?: string): Promise<CancelResult> {
    this.ctx.assertOpen();
    assertName('id', id);
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
      throw new InvalidArgumentError('reason', `must be a string of at most ${MAX_REASON_LENGTH} characters when given`);
    }
    if (this.store.cancel === undefined) throw new NotSupportedError('queue.cancel', 'cancel');
    return this.store.cancel(id, reason);
  }

  /** See Queue.progress. */
  async progress(lease: Lease<T>, value: unknown): Promise<boolean> {
    this.ctx.assertOpen();
    assertLease(lease);
    const json = serializeJson(value, MAX_PROGRESS_BYTES, 'progress', 'MAX_PROGRESS_BYTES');
    if (this.store.progress === undefined) throw new NotSupportedError('queue.progress', 'progress');
    return this.store.progress(lease, json);
  }

  /** See Queue.outcome. */
  async outcome<R = unknown>(id: string): Promise<TaskOutcome<R> | undefined> {
    this.ctx.assertOpen();
    assertName('id', id);
    if (this.store.outcome === undefined) throw new NotSupportedError('queue.outcome', 'results');
    return (await this.store.outcome(id)) as TaskOutcome<R> | undefined;
  }

  /** See Queue.result. */
  async result<R = unknown>(id: string): Promise<R | undefined> {
    const outcome = await this.outcome<R>(id);
    return outcome?.state === 'finished' ? outcome.result : undefined;
  }

  /** See Queue.waitFor. */
  async waitFor<R = unknown>(id: string, options?: WaitOptions): Promise<TaskOutcome<R>> {
    this.ctx.assertOpen();
    assertName('id', id);
    const { timeoutMs, signal } = checkWaitOptions(options);
    return this.outcomeWaiters('queue.waitFor').wait(id, timeoutMs, signal) as Promise<TaskOutcome<R>>;
  }

  /** See Queue.enqueueAndWait. */
  async enqueueAndWait<R = unknown>(payload: T, options?: EnqueueOptions & WaitOptions): Promise<TaskOutcome<R>> {
    this.ctx.assertOpen();
    const task = prepareTask('options', payload, options, this.options.maxPayloadBytes, newTaskId);
    this.assertStorable(task, 'options');
    const { timeoutMs, signal } = checkWaitOptions(options);
    // Subscribed before the task exists, so its outcome cannot be missed; a task that was queued
    // by this call has no outcome yet, so only the other statuses need a look-up.
    const enqueue = async (): Promise<boolean> => (await this.store.add([task]))[0]!.status !== 'queued';
    return this.outcomeWaiters('queue.enqueueAndWait').wait(task.id, timeoutMs, signal, enqueue) as Promise<TaskOutcome<R>>;
  }

  /** See Queue.watch. */
  watch(listener: (event: QueueEvent) => void, options?: WatchOptions): QueueWatch {
    this.ctx.assertOpen();
    if (this.store.watch === undefined) throw new NotSupportedError('queue.watch', 'events');
    return watchQueue(this.store.watch.bind(this.store), listener, options, this.ctx.logger ?? silentLogger);
  }

  /** See Queue.get. */
  async get(id: string): Promise<TaskInfo<T> | undefined> {
    this.ctx.assertOpen();
    return (await getTask(this.store, id)) as TaskInfo<T> | undefined;
  }

  /** See Queue.list. */
  async list(state: TaskState, options?: ListOptions): Promise<TaskPage<T>> {
    this.ctx.assertOpen();
    return (await listTasks(this.store, state, options)) as TaskPage<T>;
  }

  /** See Queue.pause. */
  async pause(): Promise<void> {
    this.ctx.assertOpen();
    if (this.store.setPaused === undefined) throw new NotSupportedError('queue.pause', 'pause');
    await this.store.setPaused(true);
  }

  /** See Queue.resume. */
  async resume(): Promise<void> {
    this.ctx.assertOpen();
    if (this.store.setPaused === undefined) throw new NotSupportedError('queue.resume', 'pause');
    await this.store.setPaused(false);
  }

  /** See Queue.isPaused. */
  async isPaused(): Promise<boolean> {
    this.ctx.assertOpen();
    if (this.store.isPaused === undefined) throw new NotSupportedError('queue.isPaused', 'pause');
    return this.store.isPaused();
  }

  /** See Queue.retryDead. */
  async retryDead(target: RetryDeadTarget): Promise<number> {
    this.ctx.assertOpen();
    return retryDeadTasks(this.store, target);
  }

  /** See Queue.remove. */
  async remove(id: string): Promise<RemoveResult> {
    this.ctx.assertOpen();
    assertName('id', id);
    if (this.store.remove === undefined) throw new NotSupportedError('queue.remove', 'inspection');
    return this.store.remove(id);
  }

  /** See Queue.purge. */
  async purge(state: PurgeableState): Promise<number> {
    this.ctx.assertOpen();
    return purgeTasks(this.store, state);
  }

  private outcomeWaiters(operation: string): OutcomeWaiters {
    if (this.waiters) return this.waiters;
    const { outcome, watch } = this.store;
    if (outcome === undefined) throw new NotSupportedError(operation, 'results');
    if (watch === undefined) throw new NotSupportedError(operation, 'events');
    this.waiters = new OutcomeWaiters(
      { outcome: outcome.bind(this.store), watch: watch.bind(this.store) },
      this.ctx.clock ?? new SystemClock(),
      this.ctx.onClose?.bind(this.ctx),
    );
    return this.waiters;
  }

  // A store without a behaviour would drop the field silently: refuse it instead.
  private assertStorable(task: PreparedTask, argument: string): void {
    if (task.priority !== 0 && !this.store.supports?.priorities) throw new NotSupportedError(`${argument}.priority`, 'priorities');
    if (task.headers !== undefined && !this.store.supports?.headers) throw new NotSupportedError(`${argument}.headers`, 'headers');
  }
}
