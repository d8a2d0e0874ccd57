import { afterAll, describe, expect, inject, it } from 'vitest';
import { Container } from 'inversify';
import { Redis } from 'ioredis';
import { BackendUnavailableError, LockLostError, TOKENS, type LockManager } from '@baton/core';
import { startRedisServer, type RedisServerHandle } from '../../../test/setup/redis-server.js';
import { redlock, redlockModule, RedlockManager } from '../src/index.js';
import { sleep, uniquePrefix } from './helpers.js';

const available = inject('redisUrl') !== '';

describe.skipIf(!available)(`redlock over three independent servers${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  let servers: RedisServerHandle[] = [];
  const managers: RedlockManager[] = [];
  const raw: Redis[] = [];

  // Each test gets three fresh servers, so killing some never leaks into the next test.
  async function threeServers(): Promise<RedisServerHandle[]> {
    const started = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
    servers.push(...started);
    return started;
  }
  function manager(s: RedisServerHandle[], prefix: string): RedlockManager {
    const m = redlock(
      s.map((h) => h.url),
      { prefix, retryDelayMs: 20, retryJitterMs: 20, serverTimeoutMs: 300 },
    );
    managers.push(m);
    return m;
  }
  function client(h: RedisServerHandle): Redis {
    const c = new Redis(h.url, { maxRetriesPerRequest: 1 });
    c.on('error', () => undefined);
    raw.push(c);
    return c;
  }

  afterAll(async () => {
    await Promise.allSettled(managers.map((m) => m.close()));
    for (const c of raw) c.disconnect();
    await Promise.allSettled(servers.map((s) => s.stop()));
    servers = [];
  });

  /** Runs `rounds` critical sections from every manager at once; returns the overlaps seen and the fences in order of entry. */
  async function contend(ms: LockManager[], rounds: number): Promise<{ overlaps: number; fences: number[]; done: number }> {
    let inside = 0;
    let overlaps = 0;
    let done = 0;
    const fences: number[] = [];
    await Promise.all(
      ms.map(async (m) => {
        for (let i = 0; i < rounds; i++) {
          await m.withLock(
            'counter',
            async (lock) => {
              inside++;
              if (inside > 1) overlaps++;
              fences.push(lock.fence);
              await sleep(2);
              inside--;
              done++;
            },
            { ttlMs: 2_000, waitMs: 10_000 },
          );
        }
      }),
    );
    return { overlaps, fences, done };
  }

  it('a lock is exclusive across managers, is stored on every server, and its fences grow', async () => {
    const s = await threeServers();
    const prefix = uniquePrefix('redlock');
    const [a, b, c] = [manager(s, prefix), manager(s, prefix), manager(s, prefix)];
    const held = await a.acquire('job', { ttlMs: 5_000 });
    for (const h of s) expect(await client(h).get(`${prefix}:{lock:job}:lock`)).toBe(held.token);
    expect(await b.tryAcquire('job')).toBeNull();
    expect(await held.release()).toBe(true);
    for (const h of s) expect(await client(h).exists(`${prefix}:{lock:job}:lock`)).toBe(0);
    const result = await contend([a, b, c], 10);
    expect(result.overlaps).toBe(0);
    expect(result.done).toBe(30);
    expect([...result.fences].sort((x, y) => x - y)).toEqual(result.fences);
    expect(new Set(result.fences).size).toBe(30);
  });

  it('with one of three servers killed, locks are still acquired, exclusive and fenced', async () => {
    const s = await threeServers();
    const prefix = uniquePrefix('redlock-one-down');
    const [a, b] = [manager(s, prefix), manager(s, prefix)];
    const before = await a.acquire('job');
    await before.release();
    s[0]!.process.kill('SIGKILL');
    await sleep(50);
    const started = Date.now();
    const held = await a.acquire('job', { ttlMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(held.fence).toBeGreaterThan(before.fence);
    expect(await b.tryAcquire('job')).toBeNull();
    expect(await held.release()).toBe(true);
    const result = await contend([a, b], 10);
    expect(result.overlaps).toBe(0);
    expect(result.done).toBe(20);
    expect(new Set(result.fences).size).toBe(20);
  });

  it('with two of three servers killed, acquire fails at once with BackendUnavailableError naming the quorum', async () => {
    const s = await threeServers();
    const prefix = uniquePrefix('redlock-two-down');
    const m = manager(s, prefix);
    await (await m.acquire('job')).release();
    s[0]!.process.kill('SIGKILL');
    s[1]!.process.kill('SIGKILL');
    await sleep(50);
    const started = Date.now();
    const error = await m.acquire('job', { waitMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(String((error as Error).message)).toMatch(/quorum of 2 of 3 servers, but only 1 answered/);
    await expect(m.tryAcquire('other')).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(Date.now() - started).toBeLessThan(3_000);
    // the surviving server was given the lock back, not left holding it
    expect(await client(s[2]!).exists(`${prefix}:{lock:job}:lock`)).toBe(0);
  });

  it('fences keep growing when the next quorum is a different majority of servers', async () => {
    const s = await threeServers();
    const prefix = uniquePrefix('redlock-fence');
    // server 0 has seen many more acquisitions than the others
    await client(s[0]!).set(`${prefix}:{lock:job}:fence`, '100');
    const m = manager(s, prefix);
    const first = await m.acquire('job');
    expect(first.fence).toBe(101);
    await first.release();
    s[0]!.process.kill('SIGKILL');
    await sleep(50);
    const second = await m.acquire('job');
    expect(second.fence).toBeGreaterThan(101);
    await second.release();
  });

  it('a lock removed from a majority of servers is lost: extend is false and the signal aborts', async () => {
    const s = await threeServers();
    const prefix = uniquePrefix('redlock-lost');
    const m = manager(s, prefix);
    const held = await m.acquire('job', { ttlMs: 5_000 });
    await client(s[0]!).del(`${prefix}:{lock:job}:lock`);
    expect(await held.extend()).toBe(true);
    await client(s[1]!).del(`${prefix}:{lock:job}:lock`);
    expect(await held.extend()).toBe(false);
    expect(held.signal.aborted).toBe(true);
    expect(held.signal.reason).toBeInstanceOf(LockLostError);
    expect(await held.release()).toBe(false);
  });

  it('a held lock signals its loss before its TTL runs out on the servers, by the drift margin', async () => {
    const s = await threeServers();
    const prefix = uniquePrefix('redlock-drift');
    const m = redlock(
      s.map((h) => h.url),
      { prefix, driftFactor: 0.2 },
    );
    managers.push(m);
    const started = Date.now();
    const held = await m.acquire('job', { ttlMs: 2_000 });
    await new Promise((resolve) => held.signal.addEventListener('abort', resolve, { once: true }));
    const elapsed = Date.now() - started;
    // drift = 0.2 * 2,000 + 2 = 402 ms: the holder stops trusting the lock ~1,598 ms after asking
    // for it, before the servers let it go at 2,000 ms (the slack is for a loaded machine's timers)
    expect(elapsed).toBeGreaterThanOrEqual(1_597);
    expect(elapsed).toBeLessThan(2_000);
    expect(held.signal.reason).toBeInstanceOf(LockLostError);
    expect(Number(await client(s[0]!).pttl(`${prefix}:{lock:job}:lock`))).toBeGreaterThan(0);
  });

  it('withLock keeps a Redlock lock past its TTL by extending it on every server', async () => {
    const s = await threeServers();
    const prefix = uniquePrefix('redlock-extend');
    const [a, b] = [manager(s, prefix), manager(s, prefix)];
    let takenMeanwhile = 0;
    const result = await a.withLock(
      'job',
      async (lock) => {
        // 1.5 s of work under an 800 ms TTL, extended every 267 ms on every server
        for (let i = 0; i < 6; i++) {
          await sleep(250);
          if (await b.tryAcquire('job', { ttlMs: 1_000 })) takenMeanwhile++;
        }
        expect(Number(await client(s[1]!).pttl(`${prefix}:{lock:job}:lock`))).toBeGreaterThan(0);
        return lock.signal.aborted;
      },
      { ttlMs: 800 },
    );
    expect(result).toBe(false);
    expect(takenMeanwhile).toBe(0);
    for (const h of s) expect(await client(h).exists(`${prefix}:{lock:job}:lock`)).toBe(0);
  });

  it("redlockModule binds TOKENS.LockManager, replacing the backend module's locks", async () => {
    const s = await threeServers();
    const container = new Container();
    container.load(
      redlockModule(
        s.map((h) => h.url),
        { prefix: uniquePrefix('redlock-di') },
      ),
    );
    const locks = container.get<LockManager>(TOKENS.LockManager);
    expect(locks).toBeInstanceOf(RedlockManager);
    const held = await locks.acquire('job');
    expect(held.fence).toBe(1);
    await held.release();
    await container.unbindAllAsync();
    await expect(locks.acquire('job')).rejects.toThrow(/closed/);
  });
});
