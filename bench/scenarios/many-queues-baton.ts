import { Scheduler, SystemClock, silentLogger, type Queue } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { Harness, main } from '../lib/harness.js';
import { runManyQueues } from '../lib/many-queues.js';

const SETTINGS =
  'Baton (Redis backend, `new RedisBackend({ url })`, defaults: `wakeSweepMs` 2 s) · one `Scheduler` (defaults: heartbeat every 3.3 s, stall recovery every 5 s) with `handle(queue, fn, { concurrency: 1 })` for each of 1,000 queues · producer: a second `RedisBackend` in the same process, one handle per queue made at start, `queue.enqueue`';

main(async () => {
  const h = new Harness('Baton', 'many', SETTINGS);
  let worker: RedisBackend | undefined;
  let producer: RedisBackend | undefined;
  let scheduler: Scheduler | undefined;
  let queues = new Map<string, Queue>();
  await runManyQueues(
    h,
    {
      async start(names, onStart, onComplete) {
        worker = new RedisBackend({ url: h.config.redisUrl });
        producer = new RedisBackend({ url: h.config.redisUrl });
        scheduler = new Scheduler(worker, new SystemClock(), silentLogger);
        for (const name of names) scheduler.handle(name, async () => onStart(name), { concurrency: 1 });
        scheduler.on('completed', onComplete);
        await scheduler.start();
        const made = producer;
        queues = new Map(names.map((name) => [name, made.queue(name)]));
        await made.queue('warm-up').stats();
      },
      add: (queue) => queues.get(queue)!.enqueue(1),
      async close() {
        await scheduler?.stop();
        await Promise.all([worker?.close(), producer?.close()]);
      },
    },
    { idleMs: 10_000, settleMs: 5_000, latencyJobs: Math.max(100, h.config.sizes.latencyJobs) },
  );
  await h.finish();
});
