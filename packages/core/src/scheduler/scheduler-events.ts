import type { TaskCancelledError } from '../errors/index.js';
import type { Task } from '../interfaces/index.js';
import type { Logger } from '../interfaces/logger.js';

/** Where and how long one task attempt ran. */
export interface TaskEventInfo {
  queue: string;
  nodeId: string;
  /** Time from the start of the handler to the outcome (ms, Clock time). */
  durationMs: number;
}

/**
 * The Scheduler's events and their listener arguments.
 * - `completed`: the handler resolved and the task was marked finished; `info.result` is what the
 *   handler resolved (absent when undefined).
 * - `failed`: an attempt failed (threw, timed out, or was aborted by `stop()`) and the failure was
 *   recorded; `outcome` says whether the queue will retry the task or dead-lettered it.
 * - `retrying` / `dead`: emitted after `failed` for the two outcomes.
 * - `lost`: this node's lease on the task was lost (it expired or was recovered by another node),
 *   so the result of this attempt was not recorded and the task may run (or have run) elsewhere.
 * - `cancelled`: the task was cancelled (`queue.cancel`) while this node ran it: its `ctx.signal`
 *   aborted with the TaskCancelledError given here, and nothing of the attempt was recorded.
 * - `stalled`: this node's `recoverStalled` returned `count` expired leases to waiting (or dead).
 * - `tick`: this node ran one tick of a periodic job (`every`).
 * - `error`: a background failure (backend unreachable, a periodic job that threw, …). Without an
 *   `error` listener these go to the Logger instead.
 */
export interface SchedulerEvents {
  completed: [task: Task, info: TaskEventInfo & { result?: unknown }];
  failed: [task: Task, error: unknown, info: TaskEventInfo & { outcome: 'retry' | 'dead' }];
  retrying: [task: Task, error: unknown, info: TaskEventInfo];
  dead: [task: Task, error: unknown, info: TaskEventInfo];
  lost: [task: Task, reason: unknown, info: TaskEventInfo];
  cancelled: [task: Task, reason: TaskCancelledError, info: TaskEventInfo];
  stalled: [count: number, info: { queue: string; nodeId: string }];
  tick: [info: { job: string; tick: number; nodeId: string; durationMs: number }];
  error: [error: unknown, context: Record<string, unknown>];
}

/** A Scheduler event name. */
export type SchedulerEventName = keyof SchedulerEvents;

/** A listener of event `E`. */
export type SchedulerListener<E extends SchedulerEventName> = (...args: SchedulerEvents[E]) => void;

type AnyListener = (...args: unknown[]) => void;

/**
 * A tiny typed event emitter. Unlike Node's EventEmitter, an `error` without listeners is logged
 * rather than thrown, and a listener that throws is logged and does not stop the others.
 */
export class SchedulerEmitter {
  private readonly listeners = new Map<SchedulerEventName, Set<AnyListener>>();

  constructor(private readonly logger: Logger) {}

  /** Adds a listener. */
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
  }

  /** Removes a listener added with `on`. */
  off<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): void {
    this.listeners.get(event)?.delete(listener as unknown as AnyListener);
  }

  /** Calls every listener of `event`; an `error` nobody listens to goes to the logger. */
  emit<E extends SchedulerEventName>(event: E, ...args: SchedulerEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) {
      if (event === 'error') this.logger.error('scheduler background error', { error: String(args[0]), ...(args[1] as object) });
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(...(args as unknown[]));
      } catch (error) {
        this.logger.error(`a "${event}" listener threw`, { error: String(error) });
      }
    }
  }
}
