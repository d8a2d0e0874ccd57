// A lock holder in its own process (run by client-freeze.redis.test.ts). argv: redis url, prefix,
// ttl ms. Acquires "res" with autoExtend, prints "acquired <fence>", then writes to the fenced
// store every 20 ms while its signal says it holds the lock. Once the signal aborts it tries one
// more write anyway (what a holder ignoring its signal would do), releases, and prints a JSON
// summary line {"summary":…}.
import { isBatonError, silentLogger, SystemClock } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { Redis } from 'ioredis';
import { FencedStore } from '../support/fenced-store.js';

const [url, prefix, ttlText] = process.argv.slice(2) as [string, string, string];
const backend = new RedisBackend({ url, prefix, clock: new SystemClock(), logger: silentLogger });
const raw = new Redis(url);
const store = new FencedStore(raw, prefix);
const lock = await backend.locks().acquire('res', { ttlMs: Number(ttlText), autoExtend: true });
console.log(`acquired ${lock.fence}`);
let accepted = 0;
let refused = 0;
let lastTick = Date.now();
let writesAfterPause = 0;
let acceptedAfterPause = 0;
while (!lock.signal.aborted) {
  // a gap far longer than the 20 ms tick means this process was paused
  const paused = Date.now() - lastTick > 500;
  const ok = await store.write(lock.fence, 'holder');
  if (ok) accepted++;
  else refused++;
  if (paused) {
    writesAfterPause++;
    if (ok) acceptedAfterPause++;
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
  lastTick = Date.now();
}
const reason = lock.signal.reason as unknown;
const staleWriteAccepted = await store.write(lock.fence, 'holder');
const released = await lock.release();
console.log(
  JSON.stringify({
    summary: {
      fence: lock.fence,
      accepted,
      refused,
      writesAfterPause,
      acceptedAfterPause,
      staleWriteAccepted,
      released,
      abortCode: isBatonError(reason) ? reason.code : String(reason),
    },
  }),
);
await backend.close();
raw.disconnect();
