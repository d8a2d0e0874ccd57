import type { LockKind } from '../errors/index.js';
import type { EnqueueResult, Task, TaskHeaders } from '../interfaces/index.js';

/** One task of an enqueue call, as an instrumentation sees it before it is stored. */
export interface EnqueuingTask {
  readonly id: string;
  /** The task's headers; an instrumentation may add some when `headersSupported` (e.g. `traceparent`). */
  headers?: TaskHeaders;
}

/** An enqueue or enqueueMany call about to store its tasks. */
export interface EnqueueCall {
  readonly queue: string;
  readonly tasks: readonly EnqueuingTask[];
  /** False on a backend that cannot store headers: adding one there would make the call fail. */
  readonly headersSupported: boolean;
}

/** One handler run by a Scheduler. */
export interface TaskRun {
  readonly queue: string;
  readonly nodeId: string;
  readonly task: Task;
  /** When the handler started (ms of the backend's Clock, as `task.enqueuedAt`): the wait is `startedAt - task.enqueuedAt`. */
  readonly startedAt: number;
}

/** One wait for a lock, semaphore permits or a read/write lock (`acquire` with a wait). */
export interface LockWait {
  readonly kind: LockKind;
  readonly resource: string;
  /** How long the caller waited (ms of the backend's Clock), granted or not. */
  readonly waitedMs: number;
  /** 'acquired', 'timeout' (LockTimeoutError), or 'error' (aborted, closed, backend failure). */
  readonly outcome: 'acquired' | 'timeout' | 'error';
}

/**
 * A set of hooks that packages such as `@baton/metrics` and `@baton/tracing` install with
 * `instrument()` to see Baton's work in this process. Each hook is optional. A wrapping hook must
 * call `next()` exactly once and return (or rethrow) what it gives, so that several instrumentations
 * nest; a hook that throws before calling `next()` fails the call, so hooks should not throw.
 */
export interface Instrumentation {
  /** Wraps the store step of `enqueue` / `enqueueMany`, after the input was checked. */
  enqueue?(call: EnqueueCall, next: () => Promise<EnqueueResult[]>): Promise<EnqueueResult[]>;
  /** Wraps one run of a task's handler by a Scheduler; the handler runs inside `next()`. */
  run?(run: TaskRun, next: () => Promise<unknown>): Promise<unknown>;
  /** Told after every acquisition that could wait, however it ended. */
  lockWaited?(wait: LockWait): void;
}

const installed: Instrumentation[] = [];

/**
 * Installs `instrumentation` for every backend and Scheduler of this process (of this copy of
 * `@baton/core`); returns a function that removes it. Calls already under way are not affected.
 */
export function instrument(instrumentation: Instrumentation): () => void {
  installed.push(instrumentation);
  return () => {
    const i = installed.indexOf(instrumentation);
    if (i >= 0) installed.splice(i, 1);
  };
}

/** True when at least one instrumentation is installed (the hot paths skip everything otherwise). */
export function isInstrumented(): boolean {
  return installed.length > 0;
}

/** Runs `store` inside every installed `enqueue` hook, the first installed outermost. */
export function instrumentEnqueue(call: EnqueueCall, store: () => Promise<EnqueueResult[]>): Promise<EnqueueResult[]> {
  return nest(
    installed.filter((i) => i.enqueue),
    (i, next) => i.enqueue!(call, next),
    store,
  );
}

/** Runs `handler` inside every installed `run` hook, the first installed outermost. */
export function instrumentRun(run: TaskRun, handler: () => Promise<unknown>): Promise<unknown> {
  return nest(
    installed.filter((i) => i.run),
    (i, next) => i.run!(run, next),
    handler,
  );
}

/** Tells every installed `lockWaited` hook; a hook that throws is ignored (it must not break a lock). */
export function reportLockWait(wait: LockWait): void {
  for (const i of installed) {
    try {
      i.lockWaited?.(wait);
    } catch {
      // an observer's bug is not the caller's failure
    }
  }
}

function nest<R>(hooks: Instrumentation[], call: (i: Instrumentation, next: () => Promise<R>) => Promise<R>, innermost: () => Promise<R>): Promise<R> {
  let next = innermost;
  for (let k = hooks.length - 1; k >= 0; k--) {
    const inner = next;
    const hook = hooks[k]!;
    next = () => call(hook, inner);
  }
  return next();
}
