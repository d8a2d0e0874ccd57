// The client's own ceilings on this server, in the same run as everything else: what plain
// ioredis reaches awaiting one call at a time. A one-script Baton operation (an enqueue) cannot be
// faster than one EVALSHA of `return 1`, and a lock cycle cannot beat SET NX PX + DEL; the report
// shows every one-at-a-time figure as a share of its ceiling.
import { Redis } from 'ioredis';
import { Harness, main } from '../lib/harness.js';
import { nowMs } from '../lib/stats.js';

const SETTINGS =
  'ioredis 6 on one connection, no auto-pipelining · `evalsha` of `return 1` awaited one at a time · `set(key, token, "PX", 10_000, "NX")` then `del(key)`, one key per cycle, awaited one at a time';

main(async () => {
  const h = new Harness('ioredis (ceiling)', 'ceiling', SETTINGS);
  const redis = new Redis(h.config.redisUrl);
  const n = h.config.sizes.lockCycles * 2;
  await h.repeat('EVALSHA ceiling', async (warmup) => {
    const sha = (await redis.script('LOAD', 'return 1')) as string;
    const count = warmup ? n >> 2 : n;
    const t0 = nowMs();
    for (let i = 0; i < count; i++) await redis.evalsha(sha, 0);
    return { ceilingScript: count / ((nowMs() - t0) / 1_000) };
  });
  await h.repeat('SET NX PX + DEL ceiling', async (warmup) => {
    const count = warmup ? n >> 2 : n;
    const t0 = nowMs();
    for (let i = 0; i < count; i++) {
      await redis.set(`bench:ceiling:${i}`, 'token', 'PX', 10_000, 'NX');
      await redis.del(`bench:ceiling:${i}`);
    }
    return { ceilingLock: count / ((nowMs() - t0) / 1_000) };
  });
  redis.disconnect();
  await h.finish();
});
