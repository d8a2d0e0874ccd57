import type { Backend } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';
import { RedisBackend } from '@baton/redis-adapter';
import { Harness, main } from '../lib/harness.js';
import { runSemaphoreScenarios, type SemaphoreSubject } from '../lib/semaphore-scenarios.js';

const memory = process.argv.includes('--memory');
const SETTINGS = memory
  ? 'Baton memory backend · one `MemoryBackend` per semaphore client over one shared `MemoryStore` · `semaphores({ limit: 5 }).acquire(key, { ttlMs: 10_000, waitMs: 600_000 })` then `release()`'
  : 'Baton Redis backend · one `RedisBackend({ url })` per semaphore client (its own connections) · `semaphores({ limit: 5 }).acquire(key, { ttlMs: 10_000, waitMs: 600_000 })` then `release()`; waiters queue in arrival order and are handed their permits by the release';

main(async () => {
  const h = new Harness(memory ? 'Baton (memory)' : 'Baton', 'semaphore', SETTINGS);
  const store = new MemoryStore();
  const subject: SemaphoreSubject = {
    name: 'Baton',
    memory,
    settings: SETTINGS,
    async client() {
      const backend: Backend = memory ? new MemoryBackend({ store }) : new RedisBackend({ url: h.config.redisUrl });
      const semaphores = backend.semaphores();
      return {
        acquire: (key, limit, ttlMs) => semaphores.acquire(key, { limit, ttlMs, waitMs: 600_000 }),
        close: () => backend.close(),
      };
    },
  };
  await runSemaphoreScenarios(h, subject);
  await h.finish();
});
