import type { Redis } from 'ioredis';

// Test storage, not Baton code: a fixed script (no data spliced in) that keeps the highest fence
// written and refuses writes carrying an older one, logging every accepted write.
const FENCED_WRITE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) < current then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[2] .. ' ' .. ARGV[1])
return 1`;

/** A fenced storage in Redis shared by processes: `write` is refused when its fence is older than the newest accepted. */
export class FencedStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {
    client.defineCommand('fencedWrite', { numberOfKeys: 2, lua: FENCED_WRITE });
  }

  /** True when the write was accepted. */
  async write(fence: number, writer: string): Promise<boolean> {
    const run = (this.client as unknown as { fencedWrite(...args: Array<string | number>): Promise<number> }).fencedWrite;
    return Number(await run.call(this.client, `${this.prefix}:store`, `${this.prefix}:store-log`, fence, writer)) === 1;
  }

  /** Accepted writes in order, as "writer fence". */
  log(): Promise<string[]> {
    return this.client.lrange(`${this.prefix}:store-log`, 0, -1);
  }
}
