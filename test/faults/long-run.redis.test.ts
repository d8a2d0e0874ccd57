// Fault family 5 on Redis: a long run through one node in this process. 20,000 tasks under
// `npm test` (200,000 with BATON_FAULT_FULL=1) with retainFinishedMs 100 ms: the finished set stays
// bounded by the retention window, not by the run, and once the node stopped and its backend
// closed, the process holds the same sockets, timers and listeners as before it started.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Scheduler, silentLogger, SystemClock } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../setup/redis-server.js';
import { recordFigures } from './support/results.js';
import { scaled } from './support/scale.js';

const available = inject('redisUrl') !== '';
const TASKS = scaled(20_000, 200_000);
// Short against the run: at ~27,000 tasks/s the 20,000-task run lasts under a second, and a 300 ms
// window held half of it (10,527 ids, over the TASKS / 2 bound though pruning kept up).
const RETAIN_MS = 100;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: RedisServerHandle | undefined;
let backend: RedisBackend | undefined;
let raw: Redis | undefined;

afterAll(async () => {
  await backend?.close();
  raw?.disconnect();
  await server?.stop();
});

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  for (const name of process.eventNames()) counts[`listener:${String(name)}`] = process.listenerCount(name);
  return counts;
}

describe.skipIf(!available)(`long run on Redis${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it(
    `${TASKS} tasks through one node: the finished set is bounded by retention; no socket, timer or listener left after close`,
    async () => {
      server = await startRedisServer();
      raw = new Redis(server.url);
      await raw.ping();
      gc();
      const before = resources();
      const heapBefore = process.memoryUsage().heapUsed;
      backend = new RedisBackend({ url: server.url, prefix: 'long', logger: silentLogger });
      const scheduler = new Scheduler(backend, new SystemClock(), silentLogger, { idleWaitMs: 200, recoverStalledIntervalMs: 1_000, nodeTtlMs: 3_000 });
      let done = 0;
      scheduler.handle('long', async () => void done++, { concurrency: 256, queue: { retainFinishedMs: RETAIN_MS } });
      await scheduler.start();
      const queue = backend.queue<number>('long', { retainFinishedMs: RETAIN_MS });
      const watcher = backend.registry('baton').watch(() => undefined);
      const started = Date.now();
      let maxFinished = 0;
      for (let i = 0; i < TASKS; i += 1_000) {
        await queue.enqueueMany(Array.from({ length: 1_000 }, (_, j) => ({ payload: i + j, id: `task-${i + j}` })));
        await eventually(() => done >= i - 2_000, { what: `the node to get within 2,000 tasks of the ${i} enqueued`, timeoutMs: 60_000, intervalMs: 5 });
        if ((i / 1_000) % 5 === 0) maxFinished = Math.max(maxFinished, await raw.scard('long:{queue:long}:finished'));
      }
      await eventually(() => done >= TASKS, { what: `the node to handle all ${TASKS} tasks`, timeoutMs: 60_000, intervalMs: 10 });
      maxFinished = Math.max(maxFinished, await raw.scard('long:{queue:long}:finished'));
      const runMs = Date.now() - started;
      const perSec = TASKS / (runMs / 1_000);
      await sleep(RETAIN_MS + 200);
      const finishedAfter = await raw.scard('long:{queue:long}:finished');
      const stats = await queue.stats();
      watcher();
      await scheduler.stop();
      await backend.close();
      backend = undefined;
      await sleep(100);
      gc();
      const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;
      const after = resources();
      recordFigures('long-run-redis', {
        tasks: TASKS,
        tasksPerSec: Math.round(perSec),
        retainFinishedMs: RETAIN_MS,
        maxFinishedSetSize: maxFinished,
        finishedSetAfterWindow: finishedAfter,
        heapGrowthMb: Math.round(heapGrowthMb * 10) / 10,
        resourcesBefore: before,
        resourcesAfter: after,
      });
      expect(stats).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
      // the set holds about RETAIN_MS of completions, never the whole run
      expect(maxFinished).toBeLessThan(perSec * (RETAIN_MS / 1_000) * 2 + 2_000);
      expect(maxFinished).toBeLessThan(TASKS / 2);
      for (const [kind, n] of Object.entries(after)) expect(n, kind).toBeLessThanOrEqual(before[kind] ?? 0);
    },
    scaled(90_000, 300_000),
  );
});
