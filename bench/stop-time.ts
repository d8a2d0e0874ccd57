// How long stop() of an idle scheduler takes, with an idle wait far longer than that (60 s), on
// memory (real time), one Redis and a 3-master Redis Cluster started here on loopback ports.
// Each run: a scheduler with a handler (concurrency 4) and a periodic job, started and left idle
// until both worker loops block, then stop() timed with a monotonic clock.
//   npx tsx --conditions=@baton/source --tsconfig tsconfig.base.json bench/stop-time.ts [runs]
import { performance } from 'node:perf_hooks';
import { Scheduler, SystemClock, silentLogger, type Backend } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { RedisBackend } from '@baton/redis-adapter';
import { startRedisCluster } from '../test/setup/redis-cluster.js';
import { startRedisServer } from '../test/setup/redis-server.js';

const RUNS = Number(process.argv[2] ?? 10);
const IDLE_WAIT_MS = 60_000;

async function stopOnce(backend: Backend, run: number): Promise<number> {
  const clock = new SystemClock();
  const s = new Scheduler(backend, clock, silentLogger, { idleWaitMs: IDLE_WAIT_MS, group: `stop-${run}` });
  s.handle(`jobs-${run}`, async () => undefined, { concurrency: 4 });
  s.every(`tick-${run}`, 3_600_000, async () => undefined);
  await s.start();
  // let both loops reach their blocking wait (and Redis open its blocking connections)
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  await s.stop();
  return performance.now() - started;
}

async function measure(name: string, make: () => Backend): Promise<void> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const backend = make();
    times.push(await stopOnce(backend, run));
    await backend.close();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${name.padEnd(22)} stop(): median ${median.toFixed(2)} ms, min ${times[0]!.toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms (${RUNS} runs, idleWaitMs ${IDLE_WAIT_MS})`,
  );
}

const server = await startRedisServer();
const cluster = await startRedisCluster(3);
try {
  await measure('memory (SystemClock)', () => new MemoryBackend({ logger: silentLogger }));
  await measure('redis (one server)', () => new RedisBackend({ url: server.url, prefix: `stop-${Date.now()}`, logger: silentLogger }));
  await measure('redis cluster (3)', () => new RedisBackend({ cluster: cluster.startupNodes, prefix: `stop-${Date.now()}`, logger: silentLogger }));
} finally {
  await cluster.stop();
  await server.stop();
}
