import { Scheduler, silentLogger, SystemClock } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../setup/redis-server.js';
import { uniquePrefix } from './redis-env.js';

const available = inject('redisUrl') !== '';

/**
 * Script calls the server has run since the last CONFIG RESETSTAT (EVALSHA, plus EVAL when a
 * script had to be sent again), from INFO commandstats. The commands a script runs inside are
 * counted under their own names, so this is one per round trip that ran a script.
 */
async function scriptCalls(admin: Redis): Promise<number> {
  const stats = await admin.info('commandstats');
  let calls = 0;
  for (const [, n] of stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += Number(n);
  return calls;
}

describe.skipIf(!available)(`scheduler script calls on Redis${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  let server: RedisServerHandle;
  let admin: Redis;

  beforeAll(async () => {
    // Its own server: INFO commandstats counts every client of the server, so no other test may share it.
    server = await startRedisServer();
    admin = new Redis(server.url, { lazyConnect: true });
    await admin.connect();
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  // The completion of a task travels inside the worker's next lease call (WorkerPool wakes its loop
  // before it records the outcome): at concurrency 1 a task costs one script call, not two.
  it('200 tasks at concurrency 1 cost at most 205 script calls: each completion rides with the next lease call', async () => {
    const tasks = 200;
    const clock = new SystemClock();
    const backend = new RedisBackend({ url: server.url, prefix: uniquePrefix('calls'), clock, logger: silentLogger });
    // Heartbeats, stall recovery and idle waits far apart, so none falls inside the measurement.
    const scheduler = new Scheduler(backend, clock, silentLogger, { nodeTtlMs: 600_000, recoverStalledIntervalMs: 600_000, idleWaitMs: 60_000 });
    let completed = 0;
    scheduler.on('completed', () => completed++);
    const idleKey = `${backend.prefix}:{queue:counted}:idle`;
    scheduler.handle<number>('counted', async () => undefined, { concurrency: 1 });
    try {
      await scheduler.start();
      // an idle worker's lease call registers it as waiting (see QueueWaiter)
      const blocked = async (): Promise<boolean> => (await admin.zcard(idleKey)) === 1;
      await eventually(blocked, { what: 'the idle worker to register as waiting for tasks' });
      await admin.config('RESETSTAT');

      await backend.queue<number>('counted').enqueueMany(Array.from({ length: tasks }, (_, i) => ({ payload: i })));
      await eventually(() => completed === tasks, { what: `${tasks} completed events` });
      // the last completion rides with a lease call that finds nothing and waits again
      await eventually(blocked, { what: 'the worker to wait again after the last task' });

      const calls = await scriptCalls(admin);
      // one enqueueMany, 199 lease calls that each carry the previous completion, one last lease
      // call with the last completion; a few to spare for a lease extension or a heartbeat
      expect(calls).toBeGreaterThanOrEqual(tasks);
      expect(calls).toBeLessThanOrEqual(tasks + 5);
      expect(await backend.queue('counted').stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
    } finally {
      await scheduler.stop();
      await backend.close();
    }
  });
});
