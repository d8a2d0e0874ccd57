import { Container, type ContainerModule } from 'inversify';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  ClosedError,
  ManualClock,
  SystemClock,
  TOKENS,
  consoleLogger,
  silentLogger,
  type Backend,
  type Clock,
  type LockManager,
  type Logger,
} from '@baton/core';
import { MemoryStore, memoryBackend } from '@baton/memory-adapter';
import { redisBackend } from '@baton/redis-adapter';

/**
 * One row per backend module. `module` must return a module whose backend shares no state with
 * the backend of any other call (a Redis row would give each call its own key prefix). Add a row
 * to hold another adapter's module to the same DI contract.
 */
interface ModuleCase {
  name: string;
  kind: string;
  module: (options: { clock?: Clock; logger?: Logger }) => ContainerModule;
}

const redisUrl = inject('redisUrl');
let prefixes = 0;

const cases: ModuleCase[] = [
  { name: 'memory', kind: 'memory', module: (options) => memoryBackend(options) },
  ...(redisUrl
    ? [
        {
          name: 'redis',
          kind: 'redis',
          // A prefix per call: each container gets state of its own on the shared test server.
          module: (options: { clock?: Clock; logger?: Logger }) =>
            redisBackend({ url: redisUrl, prefix: `di${process.pid}x${Date.now().toString(36)}x${prefixes++}`, ...options }),
        },
      ]
    : []),
];
if (!redisUrl) console.warn('*** DI: no redis-server, the redis row is SKIPPED ***');

const containers: Container[] = [];

function container(): Container {
  const c = new Container();
  containers.push(c);
  return c;
}

afterEach(async () => {
  // Unbinding everything closes every backend a test left open.
  await Promise.allSettled(containers.splice(0).map((c) => c.unbindAllAsync()));
});

describe.each(cases)('DI: $name backend module', ({ kind, module }) => {
  it('resolves the Backend, Clock, Logger and LockManager tokens', () => {
    const c = container();
    c.load(module({}));
    const backend = c.get<Backend>(TOKENS.Backend);
    expect(backend.kind).toBe(kind);
    expect(c.get<Backend>(TOKENS.Backend)).toBe(backend);
    expect(c.get<Clock>(TOKENS.Clock)).toBeInstanceOf(SystemClock);
    expect(c.get<Logger>(TOKENS.Logger)).toBe(consoleLogger);
    const locks = c.get<LockManager>(TOKENS.LockManager);
    expect(typeof locks.acquire).toBe('function');
    expect(c.get<LockManager>(TOKENS.LockManager)).toBe(locks);
  });

  it('the resolved backend and lock manager work', async () => {
    const c = container();
    c.load(module({ clock: new ManualClock(), logger: silentLogger }));
    const queue = c.get<Backend>(TOKENS.Backend).queue<{ n: number }>('di-jobs');
    expect((await queue.enqueue({ n: 7 }, { id: 'di-1' })).status).toBe('queued');
    const lease = await queue.dequeue();
    expect(lease).toMatchObject({ id: 'di-1', payload: { n: 7 }, attempt: 1 });
    expect(await queue.complete(lease!)).toBe(true);
    expect(await queue.isFinished('di-1')).toBe(true);

    const locks = c.get<LockManager>(TOKENS.LockManager);
    const lock = await locks.acquire('di-resource', { ttlMs: 1_000 });
    expect(await locks.tryAcquire('di-resource')).toBeNull();
    // The bound LockManager works on the bound backend's state, not on a private one.
    expect(await c.get<Backend>(TOKENS.Backend).locks().tryAcquire('di-resource')).toBeNull();
    expect(await lock.release()).toBe(true);
    expect(await locks.tryAcquire('di-resource')).not.toBeNull();
  });

  it('a clock given to the module is bound and drives the backend', async () => {
    const clock = new ManualClock(5_000_000);
    const c = container();
    c.load(module({ clock, logger: silentLogger }));
    expect(c.get<Clock>(TOKENS.Clock)).toBe(clock);
    const queue = c.get<Backend>(TOKENS.Backend).queue('di-clock');
    if (kind === 'redis') {
      // On Redis the shared expiries (delays, lease deadlines) are judged by the server's clock;
      // the bound clock times this node's own waits and stamps what it reports.
      await queue.enqueue('now', { id: 'now' });
      await clock.advance(10_000);
      const lease = await queue.dequeue();
      expect(lease?.enqueuedAt).toBe(5_000_000);
      expect(lease?.deadline).toBe(5_010_000 + 30_000);
      return;
    }
    await queue.enqueue('later', { id: 'late', delayMs: 10_000 });
    expect(await queue.dequeue()).toBeNull();
    await clock.advance(10_000);
    const lease = await queue.dequeue();
    expect(lease?.id).toBe('late');
    expect(lease?.enqueuedAt).toBe(5_000_000);
    expect(lease?.deadline).toBe(5_010_000 + 30_000);
  });

  it('a Clock and Logger bound before loading are used when the module is given none', () => {
    const clock = new ManualClock();
    const logger: Logger = { ...silentLogger };
    const c = container();
    c.bind<Clock>(TOKENS.Clock).toConstantValue(clock);
    c.bind<Logger>(TOKENS.Logger).toConstantValue(logger);
    c.load(module({}));
    expect(c.get<Clock>(TOKENS.Clock)).toBe(clock);
    expect(c.get<Logger>(TOKENS.Logger)).toBe(logger);
    expect(c.get<Backend>(TOKENS.Backend).kind).toBe(kind);
  });

  it('two containers do not share state', async () => {
    const clock = new ManualClock();
    const [c1, c2] = [container(), container()];
    c1.load(module({ clock, logger: silentLogger }));
    c2.load(module({ clock, logger: silentLogger }));
    const [b1, b2] = [c1.get<Backend>(TOKENS.Backend), c2.get<Backend>(TOKENS.Backend)];
    expect(b1).not.toBe(b2);
    await b1.queue('di-shared').enqueue('only in one', { id: 'same' });
    expect((await b2.queue('di-shared').stats()).waiting).toBe(0);
    expect((await b2.queue('di-shared').enqueue('other', { id: 'same' })).status).toBe('queued');
    expect((await b1.queue('di-shared').dequeue())?.payload).toBe('only in one');
    expect(await c1.get<LockManager>(TOKENS.LockManager).tryAcquire('di-lock', { ttlMs: 1_000 })).not.toBeNull();
    expect(await c2.get<LockManager>(TOKENS.LockManager).tryAcquire('di-lock', { ttlMs: 1_000 })).not.toBeNull();
  });

  it('unbinding the Backend closes it and settles its pending work', async () => {
    const clock = new ManualClock();
    const c = container();
    c.load(module({ clock, logger: silentLogger }));
    const backend = c.get<Backend>(TOKENS.Backend);
    const queue = backend.queue('di-unbind');
    const pending = queue.dequeue({ waitMs: 60_000 });
    await clock.advance(10);
    await c.unbindAsync(TOKENS.Backend);
    // Settles (with nothing) instead of waiting out its 60 s; a hang fails the test by its timeout.
    expect(await pending).toBeNull();
    expect(() => backend.queue('di-unbind')).toThrow(ClosedError);
    await expect(queue.enqueue('x')).rejects.toBeInstanceOf(ClosedError);
    expect(c.isBound(TOKENS.Backend)).toBe(false);
  });

  it('unloading the module closes the backend and removes its bindings', async () => {
    const c = container();
    const loaded = module({ clock: new ManualClock(), logger: silentLogger });
    c.load(loaded);
    const backend = c.get<Backend>(TOKENS.Backend);
    await c.unloadAsync(loaded);
    expect(() => backend.queue('di-unload')).toThrow(ClosedError);
    expect(c.isBound(TOKENS.Backend)).toBe(false);
    expect(c.isBound(TOKENS.LockManager)).toBe(false);
  });
});

describe('DI: memory backend module with a shared store', () => {
  it('containers given the same store share state on purpose', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const [c1, c2] = [container(), container()];
    c1.load(memoryBackend({ store, clock, logger: silentLogger }));
    c2.load(memoryBackend({ store, clock, logger: silentLogger }));
    await c1.get<Backend>(TOKENS.Backend).queue('di-nodes').enqueue('shared', { id: 's' });
    expect((await c2.get<Backend>(TOKENS.Backend).queue('di-nodes').dequeue())?.id).toBe('s');
  });
});
