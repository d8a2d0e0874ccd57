import type { Prng } from './prng.js';
import type { SimNode } from './virtual-node.js';

/** What `Workload.step` may do at one step of the safety phase. */
export interface StepContext {
  /** The step number (0-based). */
  readonly step: number;
  /** The workload's own random stream (independent of the fault plan). */
  readonly rng: Prng;
  /** Simulated time (ms). */
  now(): number;
  /** Enqueues a task (id `t<n>`, counted by the invariants) through a producer that no fault touches. */
  enqueue(queue: string, payload: unknown): Promise<string>;
}

/**
 * The code under test, as a simulation runs it: state that lives for one run (a database the
 * handlers write to), the handlers each node registers, and the work each step brings.
 */
export interface Workload<S = unknown> {
  /** A short name for reports. @default 'workload' */
  readonly name?: string;
  /** Fresh state for one run. Every run must start from the same state for seeds to replay. */
  init?(): S;
  /**
   * Registers one life of a node: handlers (`node.handle`), locks, elections. Called at the start
   * and again on every restart after a crash.
   */
  node(node: SimNode, state: S): void;
  /** Called at each step of the safety phase: enqueue work (`ctx.enqueue`). @default nothing */
  step?(ctx: StepContext, state: S): void | Promise<void>;
}
