import type { Lease } from '../interfaces/index.js';

/** Why a running task was interrupted before its handler settled. */
export type InterruptKind = 'timeout' | 'lost' | 'stop' | 'cancelled';

/** One task attempt running on this node, shared by the worker pool and the lease keeper. */
export interface InFlight<T = unknown> {
  readonly lease: Lease<T>;
  /** Aborts the handler's `ctx.signal`. */
  readonly controller: AbortController;
  /** Clock time (ms) at which this node must consider the lease gone: counted from when the lease or its last extension was requested, so it is never later than the stored deadline. */
  localDeadline: number;
  /** Clock time (ms) of the per-task timeout; Infinity without one. */
  readonly timeoutAt: number;
  /** True while an extension request is on its way. */
  extending: boolean;
  /** Counts extension requests; only the answer to the latest one sets `localDeadline`. */
  extendSeq: number;
  /** True once the attempt's outcome is decided (handler settled or interrupted). */
  settled: boolean;
  /** Decides the outcome now: aborts the signal with `reason` and stops waiting for the handler. */
  interrupt(kind: InterruptKind, reason: unknown): void;
}
