import { afterEach, beforeEach, describe, it } from 'vitest';
import { ManualClock, SystemClock, type Clock } from '../clock/index.js';
import type { Backend } from '../interfaces/index.js';

/** What the suite hands a backend factory for each backend it makes. */
export interface ConformanceContext {
  /** The clock the backend must use. */
  clock: Clock;
  /**
   * Unique per test. Backends made with the same namespace must share state (a shared memory
   * store, or the same Redis key prefix): they stand for several nodes of one deployment.
   */
  namespace: string;
}

/** Makes a backend for the suite; called once or more per test. */
export type BackendFactory = (context: ConformanceContext) => Backend | Promise<Backend>;

/** Behaviours a backend may declare it lacks; the suite skips their group and says so. */
export interface ConformanceCapabilities {
  /** Lock waiters are served strictly in order of arrival. @default true */
  fairLockWaiters: boolean;
  /** watch() delivers join/leave events, including a leave for a node that stopped heartbeating. @default true */
  registryWatch: boolean;
  /** `semaphores()` works: counting semaphores with expiring grants, fences and inspect. @default true */
  semaphores: boolean;
  /** Semaphore waiters are served strictly in order of arrival, weighted (a large request is not passed). @default true */
  fairSemaphoreWaiters: boolean;
  /** `rwlocks()` works: shared reads, exclusive writes, expiring holds, fences and inspect. @default true */
  rwlocks: boolean;
  /** Read/write-lock waiters are served in order of arrival (a reader behind a waiting writer waits). @default true */
  fairRwLockWaiters: boolean;
  /** Task priorities: `enqueue(…, { priority })` and the ready order by priority (QueueStore.supports.priorities). @default true */
  priorities: boolean;
  /** Task headers stored and returned unchanged (QueueStore.supports.headers). @default true */
  headers: boolean;
  /** Results kept with finished ids, `outcome`, `result`, and (with events) `waitFor` / `enqueueAndWait`. @default true */
  results: boolean;
  /** `queue.watch`: events from every node. @default true */
  events: boolean;
  /** `queue.progress` / `ctx.progress`. @default true */
  progress: boolean;
  /** `queue.cancel` in every state, cancellations kept like finished ids. @default true */
  cancel: boolean;
  /** `queue.get`, `queue.list`, `retryDead`, `remove`, `purge` and `backend.queues()`. @default true */
  inspection: boolean;
  /** `queue.pause` / `resume` / `isPaused`, enforced in the lease step. @default true */
  pause: boolean;
  /** `QueueOptions.retainDead` bounds the dead letters, and `stats().deadDropped` counts those dropped. @default true */
  retainDead: boolean;
  /** `QueueOptions.limits`: cluster-wide concurrency and rate limits per queue, enforced in the lease step (QueueStore.supports.limits). @default true */
  limits: boolean;
  /** `locks().inspect(resource)` (and so `inspectElection`): holder, fence, time left, waiters. @default true */
  lockInspection: boolean;
}

/** Every capability, supported: what a complete backend declares. */
export const ALL_CAPABILITIES: ConformanceCapabilities = {
  fairLockWaiters: true,
  registryWatch: true,
  semaphores: true,
  fairSemaphoreWaiters: true,
  rwlocks: true,
  fairRwLockWaiters: true,
  priorities: true,
  headers: true,
  results: true,
  events: true,
  progress: true,
  cancel: true,
  inspection: true,
  pause: true,
  retainDead: true,
  limits: true,
  lockInspection: true,
};

/** `it`, or `it.skip` with the missing capability named in the test's title. */
export function itIf(supported: boolean, capability: keyof ConformanceCapabilities): typeof it {
  if (supported) return it;
  return ((name: string, fn?: () => unknown) => it.skip(`${name} (skipped: backend declares no ${capability})`, fn)) as typeof it;
}

/** `describe`, or `describe.skip` with the missing capability named in the group's title. */
export function describeIf(supported: boolean, capability: keyof ConformanceCapabilities): (name: string, fn: () => void) => void {
  return (name, fn) => (supported ? describe(name, fn) : describe.skip(`${name} (skipped: backend declares no ${capability})`, fn));
}

/** `describe` for a group that needs every capability in `needs`; skipped naming the first one missing. */
export function describeNeeding(caps: ConformanceCapabilities, ...needs: Array<keyof ConformanceCapabilities>): (name: string, fn: () => void) => void {
  const missing = needs.find((capability) => !caps[capability]);
  return describeIf(missing === undefined, missing ?? needs[0]!);
}

/** Resolves after every pending microtask and I/O callback has run (one macrotask turn). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How the suite runs against one backend. */
export interface ConformanceOptions {
  /**
   * 'manual': each test gets a ManualClock that the suite advances (no real waiting; for
   * in-process backends). 'real': SystemClock and real sleeps with short TTLs (for servers).
   */
  time: 'manual' | 'real';
  /** The time unit the suite scales every TTL and wait by (ms). @default 1_000 manual, 100 real */
  unitMs?: number;
  /** Declared gaps. @default everything supported */
  capabilities?: Partial<ConformanceCapabilities>;
  /**
   * Which half of the suite to run: 'queue' (queues and their features) or 'coordination'
   * (registry, locks, semaphores, read/write locks, input checks, lifecycle), so that a slow
   * real-time run can be two test files that run side by side. @default 'all'
   */
  part?: 'all' | 'queue' | 'coordination';
  /**
   * Runs one shard of the part's sections (1-based `index` of `count`), dealt out in turn, so that
   * a slow real-time run can be as many test files as the runner runs side by side; the shards
   * 1..count together run the whole part. @default { index: 1, count: 1 }
   */
  shard?: { index: number; count: number };
}

let sequence = 0;

/** Per-test state of the suite: its clock, its namespace and the backends it made. */
export class Harness {
  readonly unit: number;
  clock: Clock = new SystemClock();
  namespace = '';
  private backends: Backend[] = [];

  constructor(
    private readonly factory: BackendFactory,
    readonly options: ConformanceOptions,
  ) {
    this.unit = options.unitMs ?? (options.time === 'manual' ? 1_000 : 100);
  }

  /** True when time is a ManualClock. */
  get manual(): boolean {
    return this.options.time === 'manual';
  }

  /** Resets for a new test. */
  reset(): void {
    this.clock = this.manual ? new ManualClock() : new SystemClock();
    this.namespace = `conf${process.pid}x${Date.now().toString(36)}x${(sequence++).toString(36)}`;
    this.backends = [];
  }

  /** A backend for this test; every call gives another node of the same deployment. */
  async backend(): Promise<Backend> {
    const backend = await this.factory({ clock: this.clock, namespace: this.namespace });
    this.backends.push(backend);
    return backend;
  }

  /** Moves time by `ms`: ManualClock.advance, or a real sleep. */
  async advance(ms: number): Promise<void> {
    if (this.clock instanceof ManualClock) await this.clock.advance(ms);
    else await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Runs `check` until it passes, moving time in steps of unit/10, failing after `withinMs`. */
  async eventually(check: () => void | Promise<void>, withinMs: number): Promise<void> {
    const step = Math.max(1, Math.floor(this.unit / 10));
    let waited = 0;
    for (;;) {
      try {
        await check();
        return;
      } catch (error) {
        if (waited >= withinMs) throw error;
      }
      await this.advance(step);
      waited += step;
    }
  }

  /**
   * Resolves what `promise` resolves, provided it settles promptly: on a ManualClock without any
   * clock time passing (so nothing waited for a timer or polled), on real time within `realMs`.
   * Throws naming `what` otherwise.
   */
  async promptly<T>(promise: Promise<T>, what: string, realMs = 30 * this.unit): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => (settled = true));
    watched.catch(() => undefined);
    if (this.manual) {
      for (let i = 0; i < 20 && !settled; i++) await flush();
      if (!settled) throw new Error(`${what} did not happen without clock time passing`);
      return watched;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${realMs} ms`)), realMs);
    });
    try {
      return await Promise.race([watched, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every backend of the test. */
  async closeAll(): Promise<void> {
    const backends = this.backends;
    this.backends = [];
    await Promise.allSettled(backends.map((b) => b.close()));
  }
}

/** Registers the per-test setup and teardown of the suite's harness in the current describe. */
export function useHarness(factory: BackendFactory, options: ConformanceOptions): Harness {
  const h = new Harness(factory, options);
  beforeEach(() => h.reset());
  afterEach(async () => {
    await h.closeAll();
  });
  return h;
}

/** Builds a name of `length` characters for limit checks. */
export function longName(length: number): string {
  return 'n'.repeat(length);
}
