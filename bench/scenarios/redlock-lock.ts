import { Redis } from 'ioredis';
import Redlock from 'redlock';
import { Harness, main } from '../lib/harness.js';
import { runLockScenarios, type LockSubject } from '../lib/lock-scenarios.js';

const SETTINGS =
  'redlock 5.0.0-beta.2 on one ioredis client per lock client · `{ retryCount: -1, retryDelay: 5, retryJitter: 5, driftFactor: 0.01 }` · `redlock.acquire([key], 10_000)` then `lock.release()`';

main(async () => {
  const h = new Harness('redlock', 'lock', SETTINGS);
  const subject: LockSubject = {
    name: 'redlock',
    settings: SETTINGS,
    async client() {
      const redis = new Redis(h.config.redisUrl);
      const redlock = new Redlock([redis], { retryCount: -1, retryDelay: 5, retryJitter: 5, driftFactor: 0.01 });
      // a lost-lock error on an unrelated key must not crash the run
      redlock.on('error', () => undefined);
      return {
        acquire: (key, ttlMs) => redlock.acquire([key], ttlMs),
        async close() {
          redis.disconnect();
        },
      };
    },
  };
  await runLockScenarios(h, subject);
  await h.finish();
});
