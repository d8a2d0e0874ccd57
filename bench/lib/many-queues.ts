import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { Harness } from './harness.js';
import { quantile } from './stats.js';

/** Queues one process handles in the many-queues scenario. */
export const MANY_QUEUES = 1_000;

/** What a library under test gives the many-queues scenario. */
export interface ManyQueuesSubject {
  /**
   * Starts one worker (concurrency 1) per queue in `names`, in this process, and a producer with one
   * handle per queue; `onStart(queue)` runs when a handler starts, `onComplete()` when a job is
   * recorded complete. Resolves once every worker is ready.
   */
  start(names: string[], onStart: (queue: string) => void, onComplete: () => void): Promise<void>;
  /** Enqueues one job on `queue` (from this process, through the producer's handle of that queue). */
  add(queue: string): Promise<unknown>;
  close(): Promise<void>;
}

/** What INFO says of the server: clients connected, commands run since it started (script internals included). */
interface ServerCounts {
  connections: number;
  commands: number;
}

async function serverCounts(admin: Redis): Promise<ServerCounts> {
  const info = await admin.info();
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return { connections: field('connected_clients'), commands: field('total_commands_processed') };
}

/**
 * Calls clients sent while `ms` passes, counted with MONITOR (commands a script runs are tagged
 * "lua" and left out; the MONITOR connection and `admin` are not counted).
 */
async function clientCalls(url: string, ms: number): Promise<number> {
  // monitor() opens a connection of its own: the client it is called on is closed too
  const base = new Redis(url);
  const monitor = await base.monitor();
  let calls = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua' && String(args[0]).toLowerCase() !== 'info') calls++;
  });
  await new Promise((resolve) => setTimeout(resolve, ms));
  monitor.disconnect();
  base.disconnect();
  return calls;
}

/**
 * The many-queues scenario: 1,000 queues handled by one process, one worker each at concurrency
 * 1. After the workers settle (`settleMs`), `idleMs` of nothing: the server's connections (but
 * the bench's own), the commands Redis ran per second (script internals included), the calls
 * clients sent per second (MONITOR, a second window), and this process's CPU (user + system) as a
 * share of one core. Then add → handler start, one job at a time, each on the next of the 1,000
 * queues in a scattered order, and each added once the one before was recorded complete (as in the
 * single-queue latency row). A first round of one job per queue goes unmeasured: what a process
 * does once per queue (its first enqueue there) is not what one queue among many costs.
 */
export async function runManyQueues(h: Harness, subject: ManyQueuesSubject, opts: { idleMs: number; settleMs: number; latencyJobs: number }): Promise<void> {
  const names = Array.from({ length: MANY_QUEUES }, (_, i) => `tenant-${i}`);
  const admin = new Redis(h.config.redisUrl);
  await h.repeat(`${MANY_QUEUES} queues`, async (warmup) => {
    let started: ((queue: string) => void) | undefined;
    let completed: (() => void) | undefined;
    await subject.start(
      names,
      (queue) => started?.(queue),
      () => completed?.(),
    );
    /** Adds one job on `queue`; resolves add → start (ms) once the job is complete. */
    const one = async (queue: string): Promise<number> => {
      const start = new Promise<number>((resolve) => {
        started = (q) => {
          if (q === queue) resolve(performance.now());
        };
      });
      const complete = new Promise<void>((resolve) => (completed = resolve));
      const at = performance.now();
      await subject.add(queue);
      const latency = (await start) - at;
      await complete;
      return latency;
    };
    try {
      await new Promise((resolve) => setTimeout(resolve, warmup ? 500 : opts.settleMs));
      const before = await serverCounts(admin);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, warmup ? 500 : opts.idleMs));
      const cpu = process.cpuUsage(cpu0);
      const elapsed = performance.now() - t0;
      const after = await serverCounts(admin);
      const calls = warmup ? 0 : await clientCalls(h.config.redisUrl, opts.idleMs);
      // the bench's own: the admin connection of the harness and this one
      const connections = after.connections - 2;
      // the INFO that read `before` counts in `after`
      const commandsPerS = ((after.commands - before.commands - 1) / elapsed) * 1_000;
      const cpuShare = ((cpu.user + cpu.system) / 1_000 / elapsed) * 100;
      const jobs = warmup ? 20 : opts.latencyJobs;
      if (!warmup) for (const queue of names) await one(queue);
      const latencies: number[] = [];
      for (let i = 0; i < jobs; i++) latencies.push(await one(names[(i * 389) % MANY_QUEUES]!));
      return {
        manyConnections: connections,
        manyCommands: commandsPerS,
        manyCalls: (calls / opts.idleMs) * 1_000,
        manyCpu: cpuShare,
        manyLatencyP50: quantile(latencies, 0.5),
        manyLatencyP99: quantile(latencies, 0.99),
      };
    } finally {
      await subject.close();
    }
  });
  admin.disconnect();
}
