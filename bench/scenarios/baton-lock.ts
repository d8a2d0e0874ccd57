import type { Backend } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';
import { RedisBackend } from '@baton/redis-adapter';
import { Harness, main } from '../lib/harness.js';
import { runLockScenarios, type LockSubject } from '../lib/lock-scenarios.js';

const memory = process.argv.includes('--memory');
const SETTINGS = memory
  ? 'Baton memory backend · one `MemoryBackend` per lock client over one shared `MemoryStore` · `locks().acquire(key, { ttlMs: 10_000, waitMs: 600_000 })` then `release()`'
  : 'Baton Redis backend · one `RedisBackend({ url })` per lock client (its own connections) · `locks().acquire(key, { ttlMs: 10_000, waitMs: 600_000 })` then `release()`; waiters queue in arrival order and wake on the release message';

main(async () => {
  const h = new Harness(memory ? 'Baton (memory)' : 'Baton', 'lock', SETTINGS);
  const store = new MemoryStore();
  const subject: LockSubject = {
    name: 'Baton',
    memory,
    settings: SETTINGS,
    async client() {
      const backend: Backend = memory ? new MemoryBackend({ store }) : new RedisBackend({ url: h.config.redisUrl });
      const locks = backend.locks();
      return {
        acquire: (key, ttlMs) => locks.acquire(key, { ttlMs, waitMs: 600_000 }),
        close: () => backend.close(),
      };
    },
  };
  await runLockScenarios(h, subject);
  await h.finish();
});
