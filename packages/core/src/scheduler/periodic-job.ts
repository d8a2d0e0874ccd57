import { setClockTimeout, type Clock } from '../clock/index.js';
import { isBatonError } from '../errors/index.js';
import type { Backend, Queue } from '../interfaces/index.js';
import { positiveIntOr } from '../validation/index.js';
import type { FireSchedule } from './fire-schedule.js';
import { WorkerPool, type PoolEvents } from './worker-pool.js';

/** What a periodic job's function gets. */
export interface PeriodicContext {
  /** Aborts when the tick must stop: its lease was lost, its timeout passed, or `stop()` ran out of time. */
  signal: AbortSignal;
  /** The tick being run: floor(scheduledAt / intervalMs) for an interval; for a cron schedule, the fire time (ms, = scheduledAt). */
  tick: number;
  /** Clock time (ms) the tick was due. A tick re-run after a node died mid-tick is late: compare with now. */
  scheduledAt: number;
  /** The node running the tick. */
  nodeId: string;
}

/** A periodic job's function. A throw is reported as an `error` event; the tick is not retried. */
export type PeriodicFn = (ctx: PeriodicContext) => Promise<void>;

/** Options of `scheduler.every()`. */
export interface EveryOptions {
  /**
   * Time zone of a cron schedule: an IANA name such as 'Europe/Paris' (not for intervals).
   * @default 'UTC'
   */
  tz?: string;
  /**
   * Lease length of one tick (ms): how soon a tick whose node died is run again.
   * @default the interval (for cron: the shortest gap between fire times) clamped to [1_000, 30_000]
   */
  visibilityTimeoutMs?: number;
  /** Time limit of one tick (ms); past it the signal aborts with TaskTimeoutError. @default none */
  timeoutMs?: number;
}

interface TickPayload {
  tick: number;
  scheduledAt: number;
}

/** Where a job reports ticks and failures. */
export interface PeriodicEvents {
  tick(info: { job: string; tick: number; nodeId: string; durationMs: number }): void;
  error(error: unknown, context: Record<string, unknown>): void;
  backendClosed(): void;
}

/** The internal queue holding one periodic job's ticks. */
export function periodicQueueName(name: string): string {
  return `_baton:every:${name}`;
}

/**
 * One periodic job on one node: `every(name, schedule, fn)`.
 *
 * How "once per tick, cluster-wide" is kept: the schedule gives fire times on the Clock (every
 * k·interval, or the times of a cron expression), each with a tick number: k for an interval, the
 * fire time in ms for cron. At each fire time every node enqueues the task with id = tick into
 * the job's own queue (`_baton:every:<name>`). The queue refuses an id that is already queued,
 * running or finished, so however many nodes enqueue a tick it exists once; and like any task it
 * is leased by exactly one node at a time and, once completed, never handed out again (finished
 * ids are kept for max(10 intervals, 10 min); for cron, max(twice the longest gap, 10 min)). So
 * each tick runs to completion once. If the node running a tick dies mid-tick, its lease runs out
 * (after `visibilityTimeoutMs`), any node's `recoverStalled` returns the tick to the queue and
 * another node runs it again (late; `ctx.scheduledAt` says when it was due): a tick is run at
 * least once and completed exactly once, and only a tick interrupted by a crash can run twice.
 * The next tick does not depend on this one: every live node enqueues it on its own timer, so the
 * death of the node running a tick never stops the schedule. A node that starts mid-interval runs
 * the current interval tick if nobody has (a cron schedule starts at its next fire time). A node
 * whose timer fires late (a blocked event loop) also enqueues the one tick it skipped; ticks
 * missed while no node ran (the whole cluster down) are not caught up. Fire times come from each
 * node's clock, so clock skew between machines moves when a tick runs, not how often.
 */
export class PeriodicJob {
  /** Worker loop that leases and runs this job's ticks on this node (concurrency 1). */
  readonly pool: WorkerPool<TickPayload>;
  private readonly queue: Queue<TickPayload>;
  private cancelTick: () => void = () => undefined;
  private ticking = false;
  /** The next fire time this node has not enqueued yet (ms). */
  private nextFire: number | undefined;

  constructor(
    readonly name: string,
    readonly schedule: FireSchedule,
    fn: PeriodicFn,
    backend: Backend,
    private readonly clock: Clock,
    settings: { nodeId: string; idleWaitMs: number; errorBackoffMs: number },
    private readonly events: PeriodicEvents,
    options: EveryOptions = {},
  ) {
    const leaseMs = positiveIntOr('options.visibilityTimeoutMs', options.visibilityTimeoutMs, Math.min(30_000, Math.max(1_000, schedule.shortestGapMs)));
    const timeoutMs = options.timeoutMs === undefined ? undefined : positiveIntOr('options.timeoutMs', options.timeoutMs, 1);
    this.queue = backend.queue<TickPayload>(periodicQueueName(name), {
      visibilityTimeoutMs: leaseMs,
      maxAttempts: 3,
      retainFinishedMs: Math.max(schedule.shortestGapMs * 10, schedule.longestGapMs * 2, 600_000),
    });
    const poolEvents: PoolEvents<TickPayload> = {
      completed: (task, info) => events.tick({ job: name, tick: task.payload.tick, nodeId: info.nodeId, durationMs: info.durationMs }),
      failed: (task, error, info) => events.error(error, { job: name, tick: task.payload.tick, outcome: info.outcome }),
      lost: (task, reason) => events.error(reason, { job: name, tick: task.payload.tick, during: 'run' }),
      cancelled: (task, reason) => events.error(reason, { job: name, tick: task.payload.tick, during: 'run' }),
      error: (error, context) => events.error(error, { job: name, ...context }),
      backendClosed: () => events.backendClosed(),
    };
    this.pool = new WorkerPool<TickPayload>(
      this.queue,
      async (task, ctx) => {
        const { tick, scheduledAt } = task.payload;
        try {
          await fn({ signal: ctx.signal, tick, scheduledAt, nodeId: ctx.nodeId });
        } catch (error) {
          // The tick ran; a failing run is reported, and the next tick is the retry.
          if (!ctx.signal.aborted) events.error(error, { job: name, tick, during: 'run' });
          else throw error;
        }
      },
      { nodeId: settings.nodeId, concurrency: 1, timeoutMs, leaseMs, idleWaitMs: settings.idleWaitMs, errorBackoffMs: settings.errorBackoffMs },
      clock,
      poolEvents,
    );
  }

  /** The job's queue (for stalled recovery). */
  get tickQueue(): Queue<TickPayload> {
    return this.queue;
  }

  /** Starts enqueueing ticks (an interval's current one at once) and running them. */
  start(): void {
    this.ticking = true;
    this.pool.start();
    this.nextFire = this.schedule.first(this.clock.now());
    this.enqueueDue();
  }

  /** Stops enqueueing ticks; the pool is stopped by the scheduler with the others. */
  stopTicking(): void {
    this.ticking = false;
    this.cancelTick();
  }

  private enqueueDue(): void {
    if (!this.ticking || this.nextFire === undefined) return;
    const now = this.clock.now();
    // A timer that fired late (a busy event loop) catches up the one tick it skipped, no more.
    const { due, next } = this.schedule.due(this.nextFire, now, 2);
    this.nextFire = next;
    if (due.length > 0) {
      const items = due.map((at) => {
        const tick = this.schedule.tick(at);
        return { id: String(tick), payload: { tick, scheduledAt: at } };
      });
      this.queue.enqueueMany(items).catch((error: unknown) => {
        if (isBatonError(error, 'CLOSED')) this.events.backendClosed();
        else this.events.error(error, { job: this.name, tick: items.at(-1)!.payload.tick, during: 'enqueue' });
      });
    }
    if (next !== undefined) this.cancelTick = setClockTimeout(this.clock, next - now, () => this.enqueueDue());
  }
}
