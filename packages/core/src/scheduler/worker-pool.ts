import { instrumentRun, isInstrumented } from '../instrumentation/index.js';
import type { Clock } from '../clock/index.js';
import { ClosedError, isBatonError, TaskCancelledError } from '../errors/index.js';
import type { Lease, Queue, Task } from '../interfaces/index.js';
import { StoreQueue } from '../queue/index.js';
import { assertPositiveInt } from '../validation/index.js';
import { TurnBudget } from './event-loop-turn.js';
import type { InFlight, InterruptKind } from './in-flight.js';
import { whyLeaseGone } from './lease-gone.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { TaskEventInfo } from './scheduler-events.js';
import type { TaskContext, TaskHandler } from './task-handler.js';

/** Where a pool reports what happened; the Scheduler maps these to its events. */
export interface PoolEvents<T> {
  completed(task: Task<T>, info: TaskEventInfo & { result?: unknown }): void;
  failed(task: Task<T>, error: unknown, info: TaskEventInfo & { outcome: 'retry' | 'dead' }): void;
  lost(task: Task<T>, reason: unknown, info: TaskEventInfo): void;
  /** The task was cancelled while this node ran it: its handler was aborted and nothing was recorded. */
  cancelled(task: Task<T>, reason: TaskCancelledError, info: TaskEventInfo): void;
  error(error: unknown, context: Record<string, unknown>): void;
  /** The backend was closed under the pool: the node is going away. */
  backendClosed(): void;
}

/**
 * How long (ms) an idle worker waits in one dequeue on a queue whose store wakes its waits
 * reliably (StoreQueue.waitsUntilWoken): long enough that an idle queue costs nothing, short
 * enough for a single timer (setTimeout's limit is about 24.8 days).
 */
export const UNTIL_WOKEN_MS = 3_600_000;

/** The wait of one idle dequeue: until woken where the store allows it, else `idleWaitMs`. */
export function idleWaitFor(queue: Queue<unknown>, idleWaitMs: number): number {
  return queue instanceof StoreQueue && queue.waitsUntilWoken ? Math.max(idleWaitMs, UNTIL_WOKEN_MS) : idleWaitMs;
}

/** Settings of one pool, resolved by the Scheduler. */
export interface PoolSettings {
  nodeId: string;
  concurrency: number;
  /** Per-task timeout (ms); undefined for none. */
  timeoutMs: number | undefined;
  /** The queue's visibility timeout (ms). */
  leaseMs: number;
  idleWaitMs: number;
  errorBackoffMs: number;
}

type Outcome = { kind: 'ok'; result: unknown } | { kind: 'threw'; error: unknown } | { kind: InterruptKind; reason: unknown };

/** A Task without the lease fields, as handed to handlers and listeners. */
function toTask<T>(lease: Lease<T>): Task<T> {
  const task: Task<T> = { id: lease.id, payload: lease.payload, attempt: lease.attempt, enqueuedAt: lease.enqueuedAt, priority: lease.priority };
  if (lease.lastError !== undefined) task.lastError = lease.lastError;
  if (lease.headers !== undefined) task.headers = lease.headers;
  return task;
}

/**
 * The worker loop of one queue on one node: leases tasks in batches of up to the free
 * concurrency (blocking in `dequeueMany` while the queue is empty, so idle workers do not poll;
 * on a store that wakes its waits reliably, an idle worker waits until woken, see idleWaitFor),
 * runs the handler, and completes or fails each task. Leases are kept alive by one LeaseKeeper.
 */
export class WorkerPool<T> {
  private readonly running = new Map<string, InFlight<T>>();
  /**
   * Handlers that have not settled yet: what `concurrency` bounds. A slot frees as soon as its
   * handler settles, so the next lease goes out together with the completion (one round trip
   * per task at concurrency 1 instead of two), while `running` keeps the task until it is recorded.
   */
  private busy = 0;
  private readonly runs = new Set<Promise<void>>();
  private readonly keeper: LeaseKeeper<T>;
  private readonly stopController = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private stopping = false;
  private halted = false;
  /** The backend refused a result with NotSupportedError once: results are not offered again. */
  private resultsUnsupported = false;
  private wake: (() => void) | undefined;
  private unwatch: () => void = () => undefined;
  /** How long one idle dequeue waits (see idleWaitFor). */
  private readonly idleWaitMs: number;
  /** Lease calls in this event-loop turn: a pool whose store answers without I/O yields now and then (see LEASES_PER_TURN). */
  private readonly turns = new TurnBudget();

  constructor(
    readonly queue: Queue<T>,
    private readonly handler: TaskHandler<T>,
    private readonly settings: PoolSettings,
    private readonly clock: Clock,
    private readonly events: PoolEvents<T>,
  ) {
    this.idleWaitMs = idleWaitFor(queue as Queue<unknown>, settings.idleWaitMs);
    this.keeper = new LeaseKeeper(queue, clock, settings.leaseMs, settings.timeoutMs, (error, context) => {
      if (isBatonError(error, 'CLOSED')) this.events.backendClosed();
      else this.events.error(error, context);
    });
  }

  /** Most tasks this pool runs at once. */
  get concurrency(): number {
    return this.settings.concurrency;
  }

  /** Number of tasks running now (handlers not yet settled or not yet acknowledged). */
  get size(): number {
    return this.running.size;
  }

  /** Starts the worker loop, and listens for cancellations of the tasks it runs. */
  start(): void {
    this.watchCancellations();
    this.loopDone = this.loop();
  }

  /** Stops leasing new tasks: a dequeue that is waiting for work ends at once, and leases it got meanwhile are handed back. */
  beginStop(): void {
    this.stopping = true;
    this.stopController.abort();
    this.wake?.();
  }

  /** Resolves when every running task has settled and its outcome was recorded. */
  async drained(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }

  /** Interrupts every running task with `reason` (ClosedError) and hands its lease back for a prompt retry. */
  abortRunning(reason: unknown): void {
    for (const entry of this.running.values()) entry.interrupt('stop', reason);
  }

  /** Resolves when the loop has exited and every task is settled. */
  async finished(): Promise<void> {
    await this.loopDone;
    await this.drained();
    this.keeper.close();
    this.unwatch();
  }

  /** The backend is closed: stop at once, abort handlers, record nothing (the leases expire and are recovered elsewhere). */
  halt(reason: unknown): void {
    this.halted = true;
    this.beginStop();
    for (const entry of this.running.values()) entry.interrupt('lost', reason);
    this.keeper.close();
    this.unwatch();
  }

  /**
   * A task cancelled while it runs here is aborted as soon as the `cancelled` event arrives. On a
   * backend without events the lease keeper finds out at the next lease extension instead.
   */
  private watchCancellations(): void {
    try {
      this.unwatch = this.queue.watch(
        (event) => {
          if (event.type !== 'cancelled' || event.from !== 'active') return;
          for (const entry of this.running.values()) {
            if (entry.lease.id === event.id) entry.interrupt('cancelled', new TaskCancelledError(event.id, event.reason));
          }
        },
        { types: ['cancelled'] },
      );
    } catch (error) {
      if (!isBatonError(error, 'NOT_SUPPORTED') && !isBatonError(error, 'CLOSED')) this.events.error(error, { queue: this.queue.name, during: 'watch' });
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.settings.concurrency - this.busy;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      // No await on the way to the lease call unless the turn's budget is spent: a completion of
      // this turn rides with the lease call (see run()).
      const turnEnds = this.turns.step();
      if (turnEnds) {
        await turnEnds;
        continue;
      }
      const requestedAt = this.clock.now();
      let leases: Lease<T>[];
      try {
        leases = await this.queue.dequeueMany(free, { waitMs: this.idleWaitMs, signal: this.stopController.signal, holder: this.settings.nodeId });
      } catch (error) {
        if (isBatonError(error, 'CLOSED')) {
          if (!this.stopping) this.events.backendClosed();
          return;
        }
        this.events.error(error, { queue: this.queue.name, during: 'dequeue' });
        await this.clock.sleep(this.settings.errorBackoffMs, this.stopController.signal).catch(() => undefined);
        continue;
      }
      if (this.stopping) {
        await Promise.all(leases.map((lease) => this.handBack(lease)));
        return;
      }
      for (const lease of leases) this.run(lease, requestedAt);
    }
  }

  // Leased while stop() was starting: never run, returned at once.
  private async handBack(lease: Lease<T>): Promise<void> {
    if (this.halted) return;
    const info = { queue: this.queue.name, nodeId: this.settings.nodeId, durationMs: 0 };
    await this.record(lease, { kind: 'stop', reason: new ClosedError(`Scheduler "${this.settings.nodeId}"`) }, info);
  }

  private run(lease: Lease<T>, requestedAt: number): void {
    const startedAt = this.clock.now();
    const controller = new AbortController();
    let interrupted!: (outcome: Outcome) => void;
    const interruption = new Promise<Outcome>((resolve) => (interrupted = resolve));
    const entry: InFlight<T> = {
      lease,
      controller,
      localDeadline: Math.min(lease.deadline, requestedAt + this.settings.leaseMs),
      timeoutAt: this.settings.timeoutMs === undefined ? Infinity : startedAt + this.settings.timeoutMs,
      extending: false,
      extendSeq: 0,
      settled: false,
      interrupt: (kind, reason) => {
        if (entry.settled) return;
        entry.settled = true;
        controller.abort(reason);
        interrupted({ kind, reason });
      },
    };
    this.running.set(lease.token, entry);
    this.busy++;
    // A lease that arrives past its local deadline (a late reply, a paused process, or a task
    // handed over at the end of a long blocking wait) may have gone to another worker meanwhile:
    // it is extended before the handler starts, and lost unstarted if the store refuses.
    const confirm = entry.localDeadline <= startedAt;
    if (!confirm) this.keeper.add(entry);
    const ctx: TaskContext = {
      signal: controller.signal,
      nodeId: this.settings.nodeId,
      extend: async (ms) => {
        assertPositiveInt('ms', ms);
        return this.keeper.extendOne(entry, ms);
      },
      progress: async (value) => (entry.settled ? false : this.queue.progress(lease, value)),
    };
    const task = toTask(lease);
    const handled = (confirm ? this.keeper.confirm(entry) : Promise.resolve(true))
      .then((held) => {
        if (!held) return new Promise<never>(() => undefined);
        if (confirm) this.keeper.add(entry);
        return isInstrumented()
          ? instrumentRun({ queue: this.queue.name, nodeId: this.settings.nodeId, task, startedAt }, () => this.handler(task, ctx))
          : this.handler(task, ctx);
      })
      .then(
        (result: unknown): Outcome => ({ kind: 'ok', result }),
        (error: unknown): Outcome => ({ kind: 'threw', error }),
      );
    const done: Promise<void> = Promise.race([handled, interruption])
      .then((outcome) => {
        entry.settled = true;
        this.busy--;
        // wake() before record(), on purpose: wake() queues the loop's next turn as a microtask
        // ahead of the one on which a store may send this completion. The Redis store gathers the
        // completions of one turn and sends them on a microtask, unless a lease call comes first
        // and takes them along (CompletionBatcher); the loop reaches its lease call without an
        // await, so at concurrency 1 a task costs one script call, not two. Recording first
        // doubles the calls: test/scheduler/script-calls.redis.test.ts counts them.
        this.wake?.();
        const info = { queue: this.queue.name, nodeId: this.settings.nodeId, durationMs: this.clock.now() - startedAt };
        return this.record(lease, outcome, info);
      })
      .finally(() => {
        this.running.delete(lease.token);
        this.keeper.delete(entry);
        this.runs.delete(done);
        this.wake?.();
      });
    this.runs.add(done);
  }

  /**
   * Completes with the handler's result; `{ refused }` when the result cannot be stored (not JSON,
   * too large): the attempt then fails with that error. A backend without results completes the
   * task without it (said once as an `error` event) rather than leave it to be run again.
   */
  private async completeWith(lease: Lease<T>, result: unknown): Promise<boolean | { refused: unknown }> {
    if (result === undefined || this.resultsUnsupported) return this.queue.complete(lease);
    try {
      return await this.queue.complete(lease, { result });
    } catch (error) {
      if (isBatonError(error, 'SERIALIZATION') || isBatonError(error, 'INVALID_ARGUMENT')) return { refused: error };
      if (!isBatonError(error, 'NOT_SUPPORTED')) throw error;
      this.resultsUnsupported = true;
      this.events.error(error, { queue: this.queue.name, task: lease.id, during: 'complete', note: 'handler results are dropped on this backend' });
      return this.queue.complete(lease);
    }
  }

  // The store refused the attempt's outcome: report a cancellation as such, anything else as lost.
  private async gone(task: Task<T>, lostBecause: string, info: TaskEventInfo): Promise<void> {
    const why = await whyLeaseGone(this.queue as Queue<unknown>, task.id, lostBecause);
    if (why.kind === 'cancelled') this.events.cancelled(task, why.reason, info);
    else this.events.lost(task, why.reason, info);
  }

  private async record(lease: Lease<T>, outcome: Outcome, info: TaskEventInfo): Promise<void> {
    if (this.halted) return;
    const task = toTask(lease);
    try {
      if (outcome.kind === 'ok') {
        const completed = await this.completeWith(lease, outcome.result);
        if (typeof completed === 'object') return this.record(lease, { kind: 'threw', error: completed.refused }, info);
        if (completed) this.events.completed(task, outcome.result === undefined ? info : { ...info, result: outcome.result });
        else await this.gone(task, 'it was recovered by another worker before the task completed', info);
        return;
      }
      if (outcome.kind === 'lost') {
        this.events.lost(task, outcome.reason, info);
        return;
      }
      if (outcome.kind === 'cancelled') {
        this.events.cancelled(task, outcome.reason as TaskCancelledError, info);
        return;
      }
      const error = outcome.kind === 'threw' ? outcome.error : outcome.reason;
      // A task interrupted by stop() did nothing wrong: it goes back to waiting at once, not after a backoff.
      const result = await this.queue.fail(lease, error, outcome.kind === 'stop' ? { retryInMs: 0 } : undefined);
      if (result === 'lost') await this.gone(task, 'it was recovered by another worker before the failure was recorded', info);
      else this.events.failed(task, error, { ...info, outcome: result });
    } catch (error) {
      if (isBatonError(error, 'CLOSED')) return;
      this.events.error(error, { queue: this.queue.name, task: lease.id, during: outcome.kind === 'ok' ? 'complete' : 'fail' });
    }
  }
}
