import { Redis } from 'ioredis';
import { Mutex } from 'redis-semaphore';
import { Harness, main } from '../lib/harness.js';
import { runLockScenarios, type LockSubject } from '../lib/lock-scenarios.js';

const SETTINGS =
  'redis-semaphore 5.8.0 `Mutex` on one ioredis client per lock client · `{ lockTimeout: 10_000, acquireTimeout: 600_000, retryInterval: 5, refreshInterval: 0 }` · `mutex.acquire()` then `mutex.release()`';

main(async () => {
  const h = new Harness('redis-semaphore', 'lock', SETTINGS);
  const subject: LockSubject = {
    name: 'redis-semaphore',
    settings: SETTINGS,
    async client() {
      const redis = new Redis(h.config.redisUrl);
      return {
        async acquire(key, ttlMs) {
          const mutex = new Mutex(redis, key, { lockTimeout: ttlMs, acquireTimeout: 600_000, retryInterval: 5, refreshInterval: 0 });
          await mutex.acquire();
          return { release: () => mutex.release() };
        },
        async close() {
          redis.disconnect();
        },
      };
    },
  };
  await runLockScenarios(h, subject);
  await h.finish();
});
