import { SemaphoreLimitError } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';

const backend = new MemoryBackend(); // or new RedisBackend({ url }): the same code, across processes
const semaphores = backend.semaphores({ limit: 3, ttlMs: 10_000 });

// withPermits: at most 3 calls run at once; the grant is extended while fn runs.
let running = 0;
let most = 0;
await Promise.all(
  [1, 2, 3, 4, 5, 6].map((n) =>
    semaphores.withPermits('partner-api', async () => {
      most = Math.max(most, ++running);
      await new Promise((done) => setTimeout(done, 10 * n));
      running--;
    }),
  ),
);
console.log('6 calls, at most', most, 'at once');

// Weighted, in order of arrival: a request for 3 permits waits for 2 to come back, and a later
// request for 1 waits behind it although 1 permit is free, so big requests are never starved.
const held = await semaphores.acquire('partner-api', { permits: 2 });
const order: string[] = [];
const big = semaphores.withPermits('partner-api', async () => void order.push('big (3 permits)'), { permits: 3 });
const small = semaphores.withPermits('partner-api', async () => void order.push('small (1 permit)'));
const state = await semaphores.inspect('partner-api');
console.log(
  `in use ${state.inUse}/${state.limit}, waiting:`,
  state.waiters.map((w) => w.permits),
);
console.log('tryAcquire past the line:', await semaphores.tryAcquire('partner-api'));
await held.release();
await Promise.all([big, small]);
console.log(order.join(' then '));

// Every caller of one semaphore gives the same limit while it is in use.
{
  await using grant = await semaphores.acquire('partner-api');
  const error = await backend
    .semaphores({ limit: 5 })
    .tryAcquire('partner-api')
    .catch((e: unknown) => e);
  console.log(error instanceof SemaphoreLimitError, (error as SemaphoreLimitError).limitInForce, 'fence', grant.fence > 0);
}
await backend.close();
