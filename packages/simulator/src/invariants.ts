import type { Queue, TaskOutcome } from '@baton/core';
import type { History } from './history.js';

/** What an invariant may look at. */
export interface SimView<S = unknown> {
  /** The workload's state for this run (see Workload.init). */
  readonly state: S;
  readonly history: History;
  /** Simulated time (ms). */
  now(): number;
  /** The phase being checked. */
  readonly phase: 'safety' | 'liveness';
  /** Ids of the nodes that are up (not crashed), paused ones included. */
  liveNodes(): string[];
  /** Ids the registry lists now. */
  listedNodes(): Promise<string[]>;
  /** A handle on queue `name` that no fault touches. */
  queue(name: string): Queue<unknown>;
}

/**
 * A property every run must keep. `check` runs after every step of both phases (safety: the
 * property holds at all times); `atEnd` runs once, after the liveness phase healed every fault and
 * the work finished (liveness: what must eventually happen). Each returns a message describing the
 * violation, or undefined when the property holds.
 */
export interface Invariant<S = unknown> {
  readonly name: string;
  check?(view: SimView<S>): string | undefined | Promise<string | undefined>;
  atEnd?(view: SimView<S>): string | undefined | Promise<string | undefined>;
}

const flagged = (name: string): Invariant => ({ name, check: (view) => view.history.flaggedFor(name)?.message });

/**
 * No task lost: once the faults are healed and the work has finished, every task the workload
 * enqueued is finished, dead-lettered or cancelled (never gone, never stuck waiting or active).
 */
export const noLostTask: Invariant = {
  name: 'no-lost-task',
  async atEnd(view) {
    for (const [id, queue] of view.history.enqueued) {
      const outcome: TaskOutcome | undefined = await view.queue(queue).outcome(id);
      if (outcome === undefined) return `task ${id} of ${queue} never finished, died or was cancelled (lost, or stuck) after the faults healed`;
    }
    return undefined;
  },
};

/**
 * No task completed twice without a fault that explains it: the store accepts one completion per
 * task, only from the attempt that holds it; a handler succeeds twice only when a fault hit the
 * first attempt's node (or the clock jumped) between the two starts.
 */
export const noUnexplainedRerun = flagged('no-unexplained-rerun');

/** Never two lock holders at once, as a fenced resource sees them; fences only ever grow. */
export const oneLockHolder = flagged('one-lock-holder');

/** At most one leader per term of each election. */
export const oneLeaderPerTerm = flagged('one-leader-per-term');

/** Every live node is eventually listed in the registry (checked after the faults healed). */
export const liveNodesListed: Invariant = {
  name: 'live-nodes-listed',
  async atEnd(view) {
    const listed = new Set(await view.listedNodes());
    const missing = view.liveNodes().filter((id) => !listed.has(id));
    return missing.length === 0 ? undefined : `live node(s) ${missing.join(', ')} not listed in the registry`;
  },
};

/** The invariants every simulation checks. */
export const BUILT_IN_INVARIANTS: readonly Invariant[] = [noLostTask, noUnexplainedRerun, oneLockHolder, oneLeaderPerTerm, liveNodesListed];
