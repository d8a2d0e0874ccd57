import {
  ConditionTimeoutError,
  ManualClock,
  Scheduler,
  silentLogger,
  type Backend,
  type Clock,
  type DequeueOptions,
  type Queue,
  type QueueOptions,
  type SchedulerOptions,
} from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

/**
 * One test's world: a clock and backends that share state (each backend is one "node"), plus a
 * way to let time pass. Memory uses a ManualClock (advance moves it); Redis uses real time.
 */
export interface SchedulerEnv {
  readonly clock: Clock;
  /** True when time is real (Redis): assertions on exact timings are loosened. */
  readonly realTime: boolean;
  /**
   * Multiplier for TTLs in tests where a stalled event loop (a loaded machine) would break a
   * real-time run: 1 on memory, larger on Redis.
   */
  readonly scale: number;
  /** A new backend sharing state with the others of this env. */
  backend(): Backend;
  /** Lets `ms` of clock time pass. */
  advance(ms: number): Promise<void>;
  /** Closes every backend the env created. Idempotent. */
  close(): Promise<void>;
}

/** Makes a fresh env per test. */
export type MakeSchedulerEnv = () => Promise<SchedulerEnv>;

/** The memory env: one MemoryStore and one ManualClock shared by every backend. */
export const memoryEnv: MakeSchedulerEnv = async () => {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const backends: Backend[] = [];
  return {
    clock,
    realTime: false,
    scale: 1,
    backend() {
      const backend = new MemoryBackend({ clock, store, logger: silentLogger });
      backends.push(backend);
      return backend;
    },
    advance: (ms) => clock.advance(ms),
    async close() {
      await Promise.all(backends.map((b) => b.close()));
    },
  };
};

/**
 * Lets time pass in `stepMs` steps until `predicate` holds; throws ConditionTimeoutError naming
 * `what` after `maxMs`. On a ManualClock this is the clock's own advanceUntil.
 */
export async function until(env: SchedulerEnv, predicate: () => boolean | Promise<boolean>, what: string, maxMs = 10_000, stepMs = 10): Promise<void> {
  if (env.clock instanceof ManualClock) return env.clock.advanceUntil(predicate, { maxMs, stepMs, what });
  const start = env.clock.now();
  while (!(await predicate())) {
    if (env.clock.now() - start > maxMs) throw new ConditionTimeoutError(what, maxMs, ' in real time');
    await env.advance(stepMs);
  }
}

/** Advances time until `promise` settles, then returns its result (or throws its error). */
export async function settle<T>(env: SchedulerEnv, promise: Promise<T>, maxMs = 10_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => (done = true));
  watched.catch(() => undefined);
  await until(env, () => done, 'a promise to settle', maxMs);
  return watched;
}

/** Builds schedulers with test-friendly intervals and stops them all at the end of a test. */
export class Nodes {
  private readonly all: Scheduler[] = [];

  constructor(private readonly env: SchedulerEnv) {}

  /** A scheduler on `backend` (a new one by default); options override the test defaults. */
  add(options: SchedulerOptions = {}, backend: Backend = this.env.backend()): Scheduler {
    const scheduler = new Scheduler(backend, this.env.clock, silentLogger, {
      idleWaitMs: 100,
      recoverStalledIntervalMs: 100,
      nodeTtlMs: 1_000,
      errorBackoffMs: 50,
      stopTimeoutMs: 0,
      ...options,
    });
    this.all.push(scheduler);
    return scheduler;
  }

  /** Stops every scheduler (aborting what still runs), then closes the backends. */
  async closeAll(): Promise<void> {
    try {
      await settle(this.env, Promise.allSettled(this.all.map((s) => s.stop({ timeoutMs: 0 }))));
    } finally {
      await this.env.close();
    }
  }
}

/** How the dequeues of a watched backend's queues went: how many began, and how each ended. */
export interface DequeueLog {
  started: number;
  ended: Array<{ queue: string; aborted: boolean; leases: number }>;
}

/**
 * The same backend, whose queues record every `dequeueMany` call: whether the caller's signal
 * had aborted when it returned (the wait was cut) and how many leases it returned.
 */
export function watchDequeues(backend: Backend, log: DequeueLog): Backend {
  const watchQueue = (queue: Queue<unknown>): Queue<unknown> =>
    new Proxy(queue, {
      get(target, prop) {
        if (prop === 'dequeueMany') {
          return async (max: number, options?: DequeueOptions) => {
            log.started++;
            const leases = await target.dequeueMany(max, options);
            log.ended.push({ queue: target.name, aborted: options?.signal?.aborted === true, leases: leases.length });
            return leases;
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === 'queue') return (name: string, options?: QueueOptions) => watchQueue(target.queue(name, options));
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
