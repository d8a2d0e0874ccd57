import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RedisBackend } from '../src/index.js';
import type { QueueWaiter } from '../src/queue/queue-waiter.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

/**
 * Runs `between` once, after the lease call of the next dequeue on `queue` found nothing and
 * before that dequeue starts to wait (the backend's waiter on the queue's wait list is wrapped).
 */
function betweenLeaseAndWait(backend: RedisBackend, prefix: string, queue: string, between: () => Promise<void>): void {
  const waiters = (backend as unknown as { waiters: Map<string, QueueWaiter> }).waiters;
  const waiter = waiters.get(`${prefix}:{queue:${queue}}:wait`)!;
  const wait = waiter.wait.bind(waiter);
  let done = false;
  waiter.wait = async (...args) => {
    if (!done) {
      done = true;
      await between();
    }
    return wait(...args);
  };
}

describe.skipIf(url === '')(`redis blocking waits${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a worker waiting in one process is woken when a delayed task enqueued in another falls due', async () => {
    const prefix = uniquePrefix('due');
    const [worker, producer] = [r.backend(url, { prefix }), r.backend(url, { prefix })];
    const started = Date.now();
    const waiting = worker.queue<string>('jobs').dequeue({ waitMs: 8_000 });
    await sleep(100);
    await producer.queue<string>('jobs').enqueue('later', { delayMs: 300 });
    const lease = await waiting;
    const elapsed = Date.now() - started;
    expect(lease?.payload).toBe('later');
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('a worker waiting in one process is woken when a retry scheduled in another falls due', async () => {
    const prefix = uniquePrefix('retry-due');
    const [worker, failing] = [r.backend(url, { prefix }), r.backend(url, { prefix })];
    await failing.queue('jobs').enqueue('flaky', { id: 'flaky' });
    const lease = (await failing.queue('jobs').dequeue())!;
    const waiting = worker.queue('jobs').dequeue({ waitMs: 8_000 });
    await sleep(100);
    const started = Date.now();
    expect(await failing.queue('jobs').fail(lease, new Error('try later'), { retryInMs: 300 })).toBe('retry');
    const again = await waiting;
    expect(again).toMatchObject({ id: 'flaky', attempt: 2, lastError: 'Error: try later' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  // The waits below are far longer than the test may run: a due time that never wakes the worker
  // fails the test by its timeout.
  it("a delayed task announced between a worker's lease call and its wait still wakes it when due", async () => {
    const prefix = uniquePrefix('due-gap');
    const [worker, producer] = [r.backend(url, { prefix }), r.backend(url, { prefix })];
    const q = worker.queue<string>('jobs');
    expect(await q.dequeue({ waitMs: 50 })).toBeNull();
    await sleep(100);
    betweenLeaseAndWait(worker, prefix, 'jobs', async () => {
      await producer.queue<string>('jobs').enqueue('later', { delayMs: 100 });
      await sleep(300);
    });
    expect((await q.dequeue({ waitMs: 60_000 }))?.payload).toBe('later');
  });

  it('a delayed task announced before a worker first watched the queue still wakes it when due', async () => {
    const prefix = uniquePrefix('due-cold');
    const [worker, producer] = [r.backend(url, { prefix }), r.backend(url, { prefix })];
    const q = worker.queue<string>('jobs');
    betweenLeaseAndWait(worker, prefix, 'jobs', async () => {
      await producer.queue<string>('jobs').enqueue('later', { delayMs: 100 });
    });
    expect((await q.dequeue({ waitMs: 60_000 }))?.payload).toBe('later');
  });

  it('an element a worker moved out of the wait list before dying is served first, not lost', async () => {
    const prefix = uniquePrefix('claimed');
    const q = r.backend(url, { prefix }).queue<string>('jobs');
    await q.enqueueMany([
      { payload: 'first', id: 'first' },
      { payload: 'second', id: 'second' },
    ]);
    const raw = r.raw(url);
    // what a worker's BLMOVE does just before its lease script; the process dies in between
    await raw.lmove(`${prefix}:{queue:jobs}:wait`, `${prefix}:{queue:jobs}:claimed`, 'RIGHT', 'LEFT');
    expect(await q.stats()).toMatchObject({ waiting: 2 });
    expect((await q.dequeueMany(5)).map((l) => l.id)).toEqual(['first', 'second']);
  });

  it('many waiting dequeues in one process are each served: a task goes to one of them, none waits for the safety net', async () => {
    const prefix = uniquePrefix('herd');
    // Waits and a safety net far past the test's timeout: only the wake-ups that follow the
    // enqueue can end every wait before it (a dequeue whose wait ran out would look once more and
    // find its task, so a short wait would hide a waiter nobody woke).
    const backend = r.backend(url, { prefix, wakeSweepMs: 600_000 });
    const q = backend.queue<number>('jobs');
    const waiting = Array.from({ length: 5 }, () => q.dequeue({ waitMs: 600_000 }));
    await sleep(100);
    await r
      .backend(url, { prefix })
      .queue<number>('jobs')
      .enqueueMany([1, 2, 3, 4, 5].map((n) => ({ payload: n })));
    const leases = await Promise.all(waiting);
    expect(leases.map((l) => l?.payload).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('a wait whose signal aborts leaves nothing blocked and no idle registration: a raw LPUSH after it stays in the wait list', async () => {
    const prefix = uniquePrefix('abandon');
    const backend = r.backend(url, { prefix });
    const q = backend.queue<string>('jobs');
    const stop = new AbortController();
    const waiting = q.dequeue({ waitMs: 60_000, signal: stop.signal });
    const raw = r.raw(url);
    const key = (part: string): string => `${prefix}:{queue:jobs}:${part}`;
    // registered for deliveries while blocked
    for (let i = 0; i < 250 && (await raw.zcard(key('idle'))) === 0; i++) await sleep(20);
    expect(await raw.zcard(key('idle'))).toBe(1);
    await sleep(50); // and blocked in BLMOVE
    stop.abort();
    expect(await waiting).toBeNull();
    expect(await raw.zcard(key('idle'))).toBe(0);
    // A BLMOVE still blocked on the wait list would take this element into claimed at once.
    await raw.lpush(key('wait'), 'raw-task');
    expect(await raw.llen(key('claimed'))).toBe(0);
    expect(await raw.llen(key('wait'))).toBe(1);
    const lease = await q.dequeue({ waitMs: 1_000 });
    expect(lease).toMatchObject({ id: 'raw-task', payload: 'raw-task', attempt: 1 });
  });
});
