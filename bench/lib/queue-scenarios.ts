import type { Harness } from './harness.js';
import { nowMs, quantile } from './stats.js';
import { withStuckGuard } from './stuck-guard.js';

/** A tiny JSON job, the same for every library. */
export interface Job {
  i: number;
}

/** One library's queue, opened for one measurement. */
export interface QueueClient {
  /** Adds one job; resolves once the library confirmed it. */
  add(job: Job): Promise<unknown>;
  /** Adds a batch of jobs with the library's bulk call. */
  addBulk(jobs: Job[]): Promise<unknown>;
  /**
   * Starts a worker with a no-op async handler at `concurrency`: `onStart` runs when a handler
   * starts, `onComplete` when the library reports the job completed. Resolves once it is started.
   */
  startWorker(concurrency: number, onStart: () => void, onComplete: () => void): Promise<void>;
  /**
   * Adds a batch of jobs, each with the priority at the same index (0 lowest … 9 highest, mapped
   * to the library's own scale); absent for a library without priorities.
   */
  addBulkWithPriorities?(jobs: Job[], priorities: number[]): Promise<unknown>;
  /** Adds one job and resolves once a worker finished it (the library's request/response call); absent without one. */
  addAndWait?(job: Job): Promise<unknown>;
  /** Stops the worker (if any) and closes every connection. */
  close(): Promise<void>;
}

/** A queue library under test. */
export interface QueueSubject {
  name: string;
  /** True for a backend without Redis (nothing to count). */
  memory?: boolean;
  settings: string;
  open(queue: string): Promise<QueueClient>;
}

const BATCH = 1_000;

let queueSeq = 0;
const jobs = (n: number, from = 0): Job[] => Array.from({ length: n }, (_, k) => ({ i: from + k }));

/** Runs scenarios (a)–(d) of the issue for one subject; the warm-up runs a quarter of the jobs. */
export async function runQueueScenarios(h: Harness, subject: QueueSubject, options: { countCommands?: boolean } = {}): Promise<void> {
  const size = (warmup: boolean): number => (warmup ? Math.max(100, h.config.sizes.jobs >> 2) : h.config.sizes.jobs);
  const open = (): Promise<QueueClient> => subject.open(`bench-${process.pid}-${++queueSeq}`);

  await h.repeat('enqueue one by one', async (warmup) => {
    const n = size(warmup);
    const q = await open();
    const t0 = nowMs();
    for (let i = 0; i < n; i++) await q.add({ i });
    const ms = nowMs() - t0;
    await q.close();
    return { enqueueOne: (n / ms) * 1_000 };
  });

  await h.repeat('bulk enqueue', async (warmup) => {
    const n = size(warmup);
    const q = await open();
    const t0 = nowMs();
    for (let i = 0; i < n; i += BATCH) await q.addBulk(jobs(Math.min(BATCH, n - i), i));
    const ms = nowMs() - t0;
    await q.close();
    return { enqueueBulk: (n / ms) * 1_000 };
  });

  for (const concurrency of [1, 50] as const) {
    await h.repeat(`process at concurrency ${concurrency}`, async (warmup) => {
      const n = size(warmup);
      const q = await open();
      for (let i = 0; i < n; i += BATCH) await q.addBulk(jobs(Math.min(BATCH, n - i), i));
      let done = 0;
      let finish!: () => void;
      const all = new Promise<void>((resolve) => (finish = resolve));
      const t0 = nowMs();
      await q.startWorker(
        concurrency,
        () => undefined,
        () => {
          if (++done === n) finish();
        },
      );
      await withStuckGuard(all, () => `processed ${done}/${n}`);
      const ms = nowMs() - t0;
      await q.close();
      return concurrency === 1 ? { process1: (n / ms) * 1_000 } : { process50: (n / ms) * 1_000 };
    });
  }

  await h.repeat('latency add → handler start', async (warmup) => {
    const n = warmup ? Math.max(50, h.config.sizes.latencyJobs >> 2) : h.config.sizes.latencyJobs;
    const q = await open();
    let started: (() => void) | undefined;
    let completed: (() => void) | undefined;
    let startedAt = 0;
    await q.startWorker(
      1,
      () => {
        startedAt = nowMs();
        started?.();
      },
      () => completed?.(),
    );
    // let the worker settle into its idle wait
    await new Promise((resolve) => setTimeout(resolve, 200));
    const latencies: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = new Promise<void>((resolve) => (started = resolve));
      const complete = new Promise<void>((resolve) => (completed = resolve));
      const t0 = nowMs();
      await q.add({ i });
      await withStuckGuard(start, () => `job ${i} never started`);
      latencies.push(startedAt - t0);
      await withStuckGuard(complete, () => `job ${i} never completed`);
    }
    await q.close();
    return { latencyP50: quantile(latencies, 0.5), latencyP99: quantile(latencies, 0.99) };
  });

  await runPriorityMix(h, open, size);
  await runRoundTrips(h, open);

  if (!subject.memory && options.countCommands !== false) await noteQueueCommands(h, subject);
}

/** Priority levels of the priority mix. */
const PRIORITY_LEVELS = 10;

/**
 * (e) The concurrency-50 scenario with every job given one of 10 priorities in turn (0, 1, …, 9,
 * 0, …): bulk-added before the worker starts, timed from the start to the last completion.
 */
async function runPriorityMix(h: Harness, open: () => Promise<QueueClient>, size: (warmup: boolean) => number): Promise<void> {
  const probe = await open();
  const supported = probe.addBulkWithPriorities !== undefined;
  await probe.close();
  if (!supported) return;
  await h.repeat('process a priority mix at concurrency 50', async (warmup) => {
    const n = size(warmup);
    const q = await open();
    for (let i = 0; i < n; i += BATCH) {
      const batch = jobs(Math.min(BATCH, n - i), i);
      await q.addBulkWithPriorities!(
        batch,
        batch.map((job) => job.i % PRIORITY_LEVELS),
      );
    }
    let done = 0;
    let finish!: () => void;
    const all = new Promise<void>((resolve) => (finish = resolve));
    const t0 = nowMs();
    await q.startWorker(
      50,
      () => undefined,
      () => {
        if (++done === n) finish();
      },
    );
    await withStuckGuard(all, () => `processed ${done}/${n}`);
    const ms = nowMs() - t0;
    await q.close();
    return { processPriority50: (n / ms) * 1_000 };
  });
}

/**
 * (f) Request/response: one job at a time added with the library's add-and-wait call while a
 * worker at concurrency 1 runs; the time from the call to its resolution, p50 and p99.
 */
async function runRoundTrips(h: Harness, open: () => Promise<QueueClient>): Promise<void> {
  const probe = await open();
  const supported = probe.addAndWait !== undefined;
  await probe.close();
  if (!supported) return;
  await h.repeat('enqueue and wait for the outcome', async (warmup) => {
    const n = warmup ? Math.max(50, h.config.sizes.latencyJobs >> 2) : h.config.sizes.latencyJobs;
    const q = await open();
    await q.startWorker(
      1,
      () => undefined,
      () => undefined,
    );
    // let the worker settle into its idle wait
    await new Promise((resolve) => setTimeout(resolve, 200));
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = nowMs();
      await withStuckGuard(
        q.addAndWait!({ i }).then(() => undefined),
        () => `job ${i} never finished`,
      );
      times.push(nowMs() - t0);
    }
    await q.close();
    return { roundTripP50: quantile(times, 0.5), roundTripP99: quantile(times, 0.99) };
  });
}

/**
 * Counts the Redis commands (INFO commandstats; commands run inside Lua scripts count too) that
 * one enqueue and one processed job cost, over 1,000 jobs, and notes them.
 */
export async function noteQueueCommands(h: Harness, subject: QueueSubject): Promise<void> {
  const n = 1_000;
  const q = await subject.open(`bench-${process.pid}-${++queueSeq}`);
  const adds = await h.countCommands(async () => {
    for (let i = 0; i < n; i++) await q.add({ i });
  });
  let done = 0;
  let finish!: () => void;
  const all = new Promise<void>((resolve) => (finish = resolve));
  const work = await h.countCommands(async () => {
    await q.startWorker(
      1,
      () => undefined,
      () => {
        if (++done === n) finish();
      },
    );
    await withStuckGuard(all, () => `processed ${done}/${n}`);
  });
  await q.close();
  h.note(`Redis commands per enqueue: ${perOp(adds, n)}; per job processed at concurrency 1: ${perOp(work, n)}`);
}

function perOp(counts: Record<string, number>, n: number): string {
  const entries = Object.entries(counts)
    .filter(([, c]) => c / n >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, c]) => sum + c, 0) / n;
  return `${total.toFixed(1)} (${entries.map(([cmd, c]) => `${cmd} ${(c / n).toFixed(2)}`).join(', ')})`;
}
