import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, SystemClock, type Backend } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import type { MakeSchedulerEnv } from './scheduler-env.js';

/** A key prefix no other test or run uses. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}`;
}

/** The Redis env: real time, every backend of one test on one fresh key prefix. */
export function redisEnv(url: string): MakeSchedulerEnv {
  return async () => {
    const clock = new SystemClock();
    const prefix = uniquePrefix('sched');
    const backends: Backend[] = [];
    return {
      clock,
      realTime: true,
      scale: 3,
      backend() {
        const backend = new RedisBackend({ url, prefix, clock, logger: silentLogger });
        backends.push(backend);
        return backend;
      },
      advance: (ms) => sleep(ms),
      async close() {
        await Promise.all(backends.map((b) => b.close()));
      },
    };
  };
}
