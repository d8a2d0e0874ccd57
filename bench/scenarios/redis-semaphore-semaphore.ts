import { Redis } from 'ioredis';
import { Semaphore } from 'redis-semaphore';
import { Harness, main } from '../lib/harness.js';
import { runSemaphoreScenarios, type SemaphoreSubject } from '../lib/semaphore-scenarios.js';

const SETTINGS =
  'redis-semaphore 5.8.0 `Semaphore` on one ioredis client per semaphore client · `{ lockTimeout: 10_000, acquireTimeout: 600_000, retryInterval: 5, refreshInterval: 0 }` · `new Semaphore(redis, key, 5, …).acquire()` then `release()`';

main(async () => {
  const h = new Harness('redis-semaphore', 'semaphore', SETTINGS);
  const subject: SemaphoreSubject = {
    name: 'redis-semaphore',
    settings: SETTINGS,
    async client() {
      const redis = new Redis(h.config.redisUrl);
      return {
        async acquire(key, limit, ttlMs) {
          const semaphore = new Semaphore(redis, key, limit, { lockTimeout: ttlMs, acquireTimeout: 600_000, retryInterval: 5, refreshInterval: 0 });
          await semaphore.acquire();
          return { release: () => semaphore.release() };
        },
        async close() {
          redis.disconnect();
        },
      };
    },
  };
  await runSemaphoreScenarios(h, subject);
  await h.finish();
});
