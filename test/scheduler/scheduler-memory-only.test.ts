import { Container } from 'inversify';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, installSignalHandlers, ManualClock, Scheduler, silentLogger, SystemClock, TOKENS, type SchedulerOptions } from '@baton/core';
import { memoryBackend, MemoryBackend } from '@baton/memory-adapter';
import { watchDequeues, type DequeueLog } from './scheduler-env.js';

// Behaviour only observable in one process with a ManualClock: timer counts, DI, process signals.
describe('Scheduler (memory only)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('keeps no timer per running task: 50 leases in flight share one keeper timer', async () => {
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock, logger: silentLogger });
    const s = new Scheduler(backend, clock, silentLogger, { idleWaitMs: 1_000, recoverStalledIntervalMs: 5_000 });
    const release: Array<() => void> = [];
    let done = 0;
    s.handle(
      'wide',
      async () => {
        await new Promise<void>((resolve) => release.push(resolve));
        done++;
      },
      { concurrency: 50, queue: { visibilityTimeoutMs: 1_000 } },
    );
    await backend.queue('wide').enqueueMany(Array.from({ length: 50 }, (_, i) => ({ payload: i })));
    await s.start();
    await clock.advance(10);
    expect(release).toHaveLength(50);
    const baseline = clock.pendingTimers();
    // Heartbeat, recovery, blocked dequeue (none: all slots busy), keeper: a handful, not 50.
    expect(baseline).toBeLessThanOrEqual(4);
    await clock.advance(3_000); // three lease lengths: renewals happen, still no per-task timers
    expect(clock.pendingTimers()).toBeLessThanOrEqual(4);
    expect((await backend.queue('wide').stats()).active).toBe(50);
    for (const r of release) r();
    await clock.advance(10);
    expect(done).toBe(50);
    const stopping = s.stop();
    await clock.advance(1_000);
    await stopping;
    await backend.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('1,000 idle queues keep a handful of timers and make no lease call while nothing happens, and each runs its task', async () => {
    const clock = new ManualClock();
    let leaseCalls = 0;
    const backend = new MemoryBackend({
      clock,
      logger: silentLogger,
      wrapStore: (kind, store) => {
        if (kind !== 'queue') return store;
        const queueStore = store as unknown as { lease: (...a: unknown[]) => Promise<unknown> };
        const lease = queueStore.lease.bind(queueStore);
        queueStore.lease = (...a) => {
          leaseCalls++;
          return lease(...a);
        };
        return store;
      },
    });
    const s = new Scheduler(backend, clock, silentLogger, { idleWaitMs: 1_000, recoverStalledIntervalMs: 5_000, nodeTtlMs: 10_000 });
    const ran = new Set<number>();
    for (let i = 0; i < 1_000; i++) s.handle(`q${i}`, async () => void ran.add(i));
    await s.start();
    await clock.advance(10);
    const settled = leaseCalls;
    expect(settled).toBe(1_000);
    // heartbeat, recovery, the node's expiry and the backend's one timer for every blocked dequeue
    expect(clock.pendingTimers()).toBeLessThanOrEqual(5);
    // two minutes: 120 idle waits of idleWaitMs per queue, were the workers looking again
    await clock.advance(2 * 60_000);
    expect(leaseCalls).toBe(settled);
    expect(clock.pendingTimers()).toBeLessThanOrEqual(5);
    for (let i = 0; i < 1_000; i += 111) await backend.queue(`q${i}`).enqueue(i);
    await clock.advance(10);
    expect([...ran].sort((a, b) => a - b)).toEqual([0, 111, 222, 333, 444, 555, 666, 777, 888, 999]);
    const stopping = s.stop();
    await clock.advance(1_000);
    await stopping;
    await backend.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('is built by an inversify container with the backend, clock, logger and options tokens', async () => {
    const clock = new ManualClock();
    const container = new Container();
    container.load(memoryBackend({ clock, logger: silentLogger }));
    container.bind<SchedulerOptions>(TOKENS.SchedulerOptions).toConstantValue({ nodeId: 'from-di', idleWaitMs: 50 });
    container.bind(Scheduler).toSelf().inSingletonScope();
    const s = container.get(Scheduler);
    expect(s.nodeId).toBe('from-di');
    let ran = false;
    s.handle('di', async () => void (ran = true));
    await container.get<MemoryBackend>(TOKENS.Backend).queue('di').enqueue('x');
    await s.start();
    await clock.advance(10);
    expect(ran).toBe(true);
    expect((await s.nodes()).map((n) => n.id)).toEqual(['from-di']);
    const stopping = s.stop();
    await clock.advance(100);
    await stopping;
    await container.unbindAllAsync?.();

    // Without SchedulerOptions bound the scheduler still resolves, with a generated node id.
    const bare = new Container();
    bare.load(memoryBackend({ clock }));
    bare.bind(Scheduler).toSelf();
    expect(bare.get(Scheduler).nodeId).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{6}$`));
  });

  it('installSignalHandlers stops the scheduler on SIGTERM and uninstalls cleanly', async () => {
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock, logger: silentLogger });
    cleanups.push(() => backend.close());
    const s = new Scheduler(backend, clock, silentLogger, { idleWaitMs: 50, group: 'sig' });
    s.handle('sig', async () => undefined);
    await s.start();
    const before = process.listenerCount('SIGTERM');
    const uninstall = installSignalHandlers(s, { signals: ['SIGTERM'], exit: false, timeoutMs: 0 });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    await clock.advance(100);
    expect(await s.nodes()).toEqual([]);
    expect(() => s.handle('more', async () => undefined)).toThrow(/closed/);
    uninstall();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('gives the same sequence of events on every run (deterministic under a ManualClock)', async () => {
    const trace = async (): Promise<string[]> => {
      const clock = new ManualClock();
      const backend = new MemoryBackend({ clock, logger: silentLogger, random: () => 0.5 });
      const s = new Scheduler(backend, clock, silentLogger, { nodeId: 'det', idleWaitMs: 100 });
      const events: string[] = [];
      s.handle<number>(
        'det',
        async (task) => {
          await clock.sleep(10 * (task.payload % 3));
          if (task.payload % 4 === 0 && task.attempt === 1) throw new Error('first try fails');
        },
        { concurrency: 3, queue: { backoff: { baseMs: 30, maxMs: 60 } } },
      );
      s.on('completed', (t) => events.push(`${clock.now() % 100_000} done ${t.payload}/${t.attempt}`));
      s.on('retrying', (t) => events.push(`${clock.now() % 100_000} retry ${t.payload}`));
      await backend.queue('det').enqueueMany(Array.from({ length: 12 }, (_, i) => ({ payload: i })));
      await s.start();
      await clock.advance(500);
      const stopping = s.stop();
      await clock.advance(200);
      await stopping;
      await backend.close();
      return events;
    };
    const first = await trace();
    expect(first.filter((e) => e.includes('done'))).toHaveLength(12);
    expect(first.filter((e) => e.includes('retry'))).toHaveLength(3);
    expect(await trace()).toEqual(first);
  });

  it('on real time too, an idle scheduler with a 60 s idle wait stops with its waits aborted, not run out', async () => {
    const clock = new SystemClock();
    const log: DequeueLog = { started: 0, ended: [] };
    const backend = new MemoryBackend({ clock, logger: silentLogger });
    cleanups.push(() => backend.close());
    const s = new Scheduler(watchDequeues(backend, log), clock, silentLogger, { idleWaitMs: 60_000 });
    s.handle('idle', async () => undefined, { concurrency: 4 });
    await s.start();
    while (log.started === 0) await new Promise((resolve) => setImmediate(resolve));
    // the test's own 20 s limit is a third of the idle wait: finishing at all proves the cut
    await s.stop();
    expect(log.ended).toEqual([{ queue: 'idle', aborted: true, leases: 0 }]);
  });

  it('refuses bad arguments with InvalidArgumentError naming them', async () => {
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock, logger: silentLogger });
    cleanups.push(() => backend.close());
    expect(() => new Scheduler(backend, clock, silentLogger, { nodeTtlMs: 0 })).toThrow(/options\.nodeTtlMs/);
    expect(() => new Scheduler(backend, clock, silentLogger, { nodeId: '' })).toThrow(InvalidArgumentError);
    const s = new Scheduler(backend, clock, silentLogger);
    const noop = async (): Promise<void> => undefined;
    expect(() => s.handle('q', noop, { concurrency: 0 })).toThrow(/options\.concurrency/);
    expect(() => s.handle('q', noop, { timeoutMs: 1.5 })).toThrow(/options\.timeoutMs/);
    expect(() => s.handle('q', noop, { queue: { visibilityTimeoutMs: -1 } })).toThrow(/visibilityTimeoutMs/);
    expect(() => s.handle('', noop)).toThrow(InvalidArgumentError);
    s.handle('q', noop);
    expect(() => s.handle('q', noop)).toThrow(/already has a handler/);
    expect(() => s.every('job', 0, noop)).toThrow(/intervalMs/);
    expect(() => s.every('job', undefined as unknown as number, noop)).toThrow(/intervalMs/);
    s.every('job', 1_000, noop);
    expect(() => s.every('job', 1_000, noop)).toThrow(/already registered/);
    expect(() => s.elect('leader', { ttlMs: 0 })).toThrow(/ttlMs/);
  });
  it('a lease whose reply comes after its visibility timeout is lost without running; the task runs again after recovery', async () => {
    // Found by the simulator (seed 2 of the standard workload): a node paused while its dequeue was
    // answered ran the handler of a task that another node had already run and completed.
    const clock = new ManualClock();
    let slow = true;
    const backend = new MemoryBackend({
      clock,
      logger: silentLogger,
      // The first lease reply that carries a task reaches the node 5 s late (visibility is 1 s).
      wrapStore: (kind, store) =>
        kind !== 'queue'
          ? store
          : new Proxy(store, {
              get(target, prop, receiver) {
                const value = Reflect.get(target, prop, receiver) as unknown;
                if (prop !== 'lease' || typeof value !== 'function') return value;
                return async (...args: unknown[]) => {
                  const leases = (await (value as (...a: unknown[]) => Promise<unknown[]>).apply(target, args)) ?? [];
                  if (slow && leases.length > 0) {
                    slow = false;
                    await clock.sleep(5_000);
                  }
                  return leases;
                };
              },
            }),
    });
    const s = new Scheduler(backend, clock, silentLogger, { idleWaitMs: 100, recoverStalledIntervalMs: 500 });
    const runs: number[] = [];
    const lost: number[] = [];
    s.handle('late', async (task) => void runs.push(task.attempt), { queue: { visibilityTimeoutMs: 1_000 } });
    s.on('lost', (task) => lost.push(task.attempt));
    await s.start();
    await backend.queue('late').enqueue('x');
    await clock.advanceUntil(() => runs.includes(2), { what: 'the task to run again after recovery' });
    await clock.advance(6_000);
    expect(lost).toEqual([1]);
    expect(runs).toEqual([2]);
    const stopping = s.stop();
    await clock.advance(1_000);
    await stopping;
    await backend.close();
  });
  it('a task handed over late in a blocking wait longer than its lease runs to the end, its lease extended', async () => {
    // idleWaitMs (60 s) past the visibility timeout (1 s): the task arrives 30 s into the wait, so
    // the worker cannot tell from its own clock that the lease is fresh. It extends it first.
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock, logger: silentLogger });
    const s = new Scheduler(backend, clock, silentLogger, { idleWaitMs: 60_000, recoverStalledIntervalMs: 500 });
    const outcomes: string[] = [];
    s.handle(
      'slow',
      async (task, ctx) => {
        await clock.sleep(3_000, ctx.signal);
        outcomes.push(`ran ${String(task.payload)} (attempt ${task.attempt})`);
      },
      { queue: { visibilityTimeoutMs: 1_000 } },
    );
    s.on('lost', (task) => outcomes.push(`lost attempt ${task.attempt}`));
    await s.start();
    await clock.advance(30_000);
    await backend.queue('slow').enqueue('x');
    await clock.advanceUntil(() => outcomes.length > 0, { what: 'the task to end' });
    expect(outcomes).toEqual(['ran x (attempt 1)']);
    const stopping = s.stop();
    await clock.advance(1_000);
    await stopping;
    await backend.close();
  });
  it('a late lease whose extension is also answered past its deadline is lost without running', async () => {
    // Found by the simulator (seed 190): the extension that confirms a late lease was granted, but
    // its reply came after the new deadline; meanwhile another node ran and completed the task.
    const clock = new ManualClock();
    const late = new Map([
      ['lease', 5_000],
      ['extend', 2_000],
    ]);
    const backend = new MemoryBackend({
      clock,
      logger: silentLogger,
      wrapStore: (kind, store) =>
        kind !== 'queue'
          ? store
          : new Proxy(store, {
              get(target, prop, receiver) {
                const value = Reflect.get(target, prop, receiver) as unknown;
                const delay = typeof prop === 'string' ? late.get(prop) : undefined;
                if (delay === undefined || typeof value !== 'function') return value;
                return async (...args: unknown[]) => {
                  const reply = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as unknown;
                  if (prop === 'lease' && (reply as unknown[]).length === 0) return reply;
                  late.delete(prop as string); // each is late once
                  await clock.sleep(delay);
                  return reply;
                };
              },
            }),
    });
    const s = new Scheduler(backend, clock, silentLogger, { idleWaitMs: 100, recoverStalledIntervalMs: 60_000 });
    const runs: number[] = [];
    const lost: number[] = [];
    s.handle('late', async (task) => void runs.push(task.attempt), { queue: { visibilityTimeoutMs: 1_000 } });
    s.on('lost', (task) => lost.push(task.attempt));
    await s.start();
    await backend.queue('late').enqueue('x');
    await clock.advanceUntil(() => lost.length === 1, { what: 'the late lease to be lost' });
    expect(runs).toEqual([]);
    const stopping = s.stop();
    await clock.advance(1_000);
    await stopping;
    await backend.close();
  });
});
