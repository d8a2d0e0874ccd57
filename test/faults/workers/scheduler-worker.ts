// One worker node in its own process (run by the fault tests). argv[2] is a JSON WorkerConfig.
// Prints "ready <nodeId>" once its Scheduler runs. Every execution is counted in Redis
// (RPUSH <prefix>:runs "<nodeId> <taskId>") before the handler's work, so a node SIGKILLed
// mid-task still counts the run. On "stop" (stdin) or SIGTERM it stops gracefully and prints a JSON summary
// line {"summary":…} with its counts and a latency histogram (ms from payload.t to completion).
import { createInterface } from 'node:readline';
import { Scheduler, silentLogger, SystemClock } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { Redis } from 'ioredis';

interface WorkerConfig {
  url: string;
  prefix: string;
  queue: string;
  nodeId: string;
  concurrency: number;
  /** Real ms each task takes. */
  workMs: number;
  leaseMs: number;
  /** Count runs in Redis (costs one round trip per task). */
  countRuns: boolean;
  /** The queue's maxAttempts (recoverStalled dead-letters a task whose lease expires on its last attempt). @default 3 */
  maxAttempts?: number;
}

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
const clock = new SystemClock();
const backend = new RedisBackend({ url: config.url, prefix: config.prefix, clock, logger: silentLogger });
const raw = new Redis(config.url);
const latencies: Record<number, number> = {};
let handled = 0;
let errors = 0;
const errorMessages = new Set<string>();

const scheduler = new Scheduler(backend, clock, silentLogger, {
  nodeId: config.nodeId,
  idleWaitMs: 200,
  recoverStalledIntervalMs: 250,
  nodeTtlMs: 2_000,
  errorBackoffMs: 100,
  stopTimeoutMs: 5_000,
});
scheduler.handle<{ t?: number }>(
  config.queue,
  async (task) => {
    if (config.countRuns) await raw.rpush(`${config.prefix}:runs`, `${config.nodeId} ${task.id}`);
    if (config.workMs > 0) await new Promise((resolve) => setTimeout(resolve, config.workMs));
    handled++;
    const t = task.payload?.t;
    if (typeof t === 'number') {
      const ms = Date.now() - t;
      latencies[ms] = (latencies[ms] ?? 0) + 1;
    }
  },
  { concurrency: config.concurrency, queue: { visibilityTimeoutMs: config.leaseMs, maxAttempts: config.maxAttempts ?? 3 } },
);
scheduler.on('error', (error: unknown) => {
  errors++;
  errorMessages.add(String(error).slice(0, 200));
});

let stopping: Promise<void> | undefined;
function stop(): Promise<void> {
  stopping ??= (async () => {
    await scheduler.stop();
    await backend.close();
    raw.disconnect();
    console.log(JSON.stringify({ summary: { nodeId: config.nodeId, handled, errors, errorMessages: [...errorMessages], latencies } }));
    process.exit(0);
  })();
  return stopping;
}
process.on('SIGTERM', () => void stop());
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stop') void stop();
});

await raw.ping();
await scheduler.start();
console.log(`ready ${config.nodeId}`);
