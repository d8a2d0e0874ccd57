// Fault family 7: load. 50 concurrent producers (in this process) and 4 worker processes for
// 15 s under `npm test` (60 s with BATON_FAULT_FULL=1), as fast as the machine goes: producers
// pause while more than 5,000 tasks wait, so the rate measured is the one workers sustain.
// Reports throughput and latency (enqueue to completion); 0 lost, 0 errors.
import { fileURLToPath } from 'node:url';
import { isBatonError, silentLogger } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { killAll, spawnTsx, type NodeProcess } from '../setup/node-process.js';
import { startRedisServer, type RedisServerHandle } from '../setup/redis-server.js';
import { histogramPercentile, recordFigures } from './support/results.js';
import { scaled } from './support/scale.js';

const available = inject('redisUrl') !== '';
const workerScript = fileURLToPath(new URL('./workers/scheduler-worker.ts', import.meta.url));
const DURATION_MS = scaled(15_000, 60_000);
const PRODUCERS = 50;
const WORKERS = 4;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const processes: NodeProcess[] = [];
const backends: RedisBackend[] = [];
let server: RedisServerHandle | undefined;
let raw: Redis | undefined;

afterAll(async () => {
  await killAll(processes);
  await Promise.allSettled(backends.map((b) => b.close()));
  raw?.disconnect();
  await server?.stop();
});

interface Summary {
  nodeId: string;
  handled: number;
  errors: number;
  errorMessages: string[];
  latencies: Record<string, number>;
}

describe.skipIf(!available)(`load${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it(
    `${PRODUCERS} producers and ${WORKERS} worker processes for ${DURATION_MS / 1_000} s: 0 lost, 0 errors, throughput and p99 reported`,
    async () => {
      server = await startRedisServer();
      const prefix = 'load';
      for (let i = 0; i < WORKERS; i++) {
        const config = { url: server.url, prefix, queue: 'load', nodeId: `worker-${i}`, concurrency: 32, workMs: 0, leaseMs: 30_000, countRuns: false };
        processes.push(spawnTsx(workerScript, [JSON.stringify(config)]));
      }
      await Promise.all(processes.map((p) => p.waitForLine((l) => l.startsWith('ready'), 60_000)));
      for (let i = 0; i < 2; i++) backends.push(new RedisBackend({ url: server.url, prefix, logger: silentLogger }));
      const queues = backends.map((b) => b.queue<{ t: number }>('load'));
      let acked = 0;
      const producerErrors: Record<string, number> = {};
      let producing = true;
      let paused = false;
      let pausedMs = 0;
      let serial = 0;
      const monitor = (async () => {
        while (producing) {
          const { waiting } = await queues[0]!.stats();
          if (!paused && waiting > 5_000) paused = true;
          else if (paused && waiting < 2_000) paused = false;
          await sleep(100);
          if (paused) pausedMs += 100;
        }
      })();
      const started = Date.now();
      const producers = Array.from({ length: PRODUCERS }, async (_, p) => {
        const q = queues[p % queues.length]!;
        while (producing) {
          if (paused) {
            await sleep(20);
            continue;
          }
          try {
            const r = await q.enqueue({ t: Date.now() }, { id: `l-${serial++}` });
            if (r.status === 'queued') acked++;
          } catch (error) {
            const code = isBatonError(error) ? error.code : 'other';
            producerErrors[code] = (producerErrors[code] ?? 0) + 1;
          }
        }
      });
      await sleep(DURATION_MS);
      producing = false;
      await Promise.all([...producers, monitor]);
      const producedMs = Date.now() - started;
      await eventually(
        async () => {
          const s = await queues[0]!.stats();
          return s.waiting + s.active + s.delayed === 0;
        },
        { what: 'the workers to drain the queue', timeoutMs: 60_000, intervalMs: 100 },
      );
      const drainedMs = Date.now() - started;
      for (const p of processes) p.send('stop');
      const summaries = await Promise.all(
        processes.map(async (p) => (JSON.parse(await p.waitForLine((l) => l.startsWith('{"summary"'), 30_000)) as { summary: Summary }).summary),
      );
      raw = new Redis(server.url);
      const finished = await raw.scard(`${prefix}:{queue:load}:finished`);
      const stats = await queues[0]!.stats();
      const handled = summaries.reduce((sum, s) => sum + s.handled, 0);
      const latencies: Record<string, number> = {};
      for (const s of summaries) for (const [ms, n] of Object.entries(s.latencies)) latencies[ms] = (latencies[ms] ?? 0) + n;
      const workerErrors = summaries.reduce((sum, s) => sum + s.errors, 0);
      recordFigures('load', {
        producers: PRODUCERS,
        workers: WORKERS,
        durationMs: DURATION_MS,
        acknowledged: acked,
        lost: acked - finished,
        duplicates: handled - finished,
        enqueuePerSec: Math.round(acked / (producedMs / 1_000)),
        completedPerSec: Math.round(handled / (drainedMs / 1_000)),
        latencyP50Ms: histogramPercentile(latencies, 50),
        latencyP99Ms: histogramPercentile(latencies, 99),
        latencyMaxMs: histogramPercentile(latencies, 100),
        producerPausedMs: pausedMs,
        producerErrors,
        workerErrors,
        perWorker: summaries.map((s) => s.handled),
      });
      expect(producerErrors).toEqual({});
      expect(workerErrors, summaries.flatMap((s) => s.errorMessages).join('\n')).toBe(0);
      expect(acked).toBeGreaterThan(1_000);
      expect(finished).toBe(acked);
      expect(handled).toBe(acked);
      expect(stats).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
    },
    DURATION_MS + 150_000,
  );
});
