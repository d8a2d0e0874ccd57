import { afterEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  NotSupportedError,
  Scheduler,
  silentLogger,
  TaskCancelledError,
  type Backend,
  type Queue,
  type QueueOptions,
  type Task,
} from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

/** The same backend, whose queues have no events: what a Scheduler meets on a store without them. */
function withoutEvents(backend: Backend): Backend {
  const deaf = (queue: Queue<unknown>): Queue<unknown> =>
    new Proxy(queue, {
      get(target, prop) {
        if (prop === 'watch') return throwNotSupported;
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === 'queue') return (name: string, options?: QueueOptions) => deaf(target.queue(name, options));
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function throwNotSupported(): never {
  throw new NotSupportedError('queue.watch', 'events');
}

// Without the cancelled event a node learns of a cancellation from the store: at the next lease
// extension, or when its completion is refused. Either way it must say "cancelled", not "lost".
describe('Scheduler: a cancellation seen without events (memory)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(): Promise<{ clock: ManualClock; s: Scheduler; q: Queue<string>; log: string[]; reasons: unknown[] }> {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const worker = new MemoryBackend({ clock, store, logger: silentLogger });
    const client = new MemoryBackend({ clock, store, logger: silentLogger });
    const s = new Scheduler(withoutEvents(worker), clock, silentLogger, { idleWaitMs: 1_000, recoverStalledIntervalMs: 60_000 });
    cleanups.push(async () => {
      await s.stop({ timeoutMs: 0 });
      await Promise.all([worker.close(), client.close()]);
    });
    const log: string[] = [];
    const reasons: unknown[] = [];
    s.on('cancelled', (task: Task, reason) => {
      log.push(`cancelled ${task.id}`);
      reasons.push(reason);
    });
    s.on('lost', (task, reason) => {
      log.push(`lost ${task.id}`);
      reasons.push(reason);
    });
    s.on('completed', (task) => log.push(`completed ${task.id}`));
    return { clock, s, q: client.queue<string>('jobs'), log, reasons };
  }

  it('the lease keeper finds the cancellation at the next extension and aborts the handler with TaskCancelledError', async () => {
    const { clock, s, q, log, reasons } = await setup();
    let reason: unknown;
    s.handle(
      'jobs',
      async (_task, c) => {
        await new Promise<void>((resolve) => c.signal.addEventListener('abort', () => resolve(), { once: true }));
        reason = c.signal.reason;
      },
      { queue: { visibilityTimeoutMs: 1_000 } },
    );
    await s.start();
    await q.enqueue('x', { id: 'k' });
    await clock.advance(10);
    expect(await q.cancel('k', 'stop')).toBe('cancelled');
    await clock.advance(100);
    expect(reason).toBeUndefined(); // no event: nothing yet
    await clock.advance(600); // past half the lease: the renewal is refused
    expect(reason).toBeInstanceOf(TaskCancelledError);
    expect(log).toEqual(['cancelled k']);
    expect(reasons[0]).toBe(reason);
  });

  it('a completion refused because the task was cancelled meanwhile is reported as cancelled, not lost', async () => {
    const { clock, s, q, log, reasons } = await setup();
    const release = new Map<string, () => void>();
    s.handle(
      'jobs',
      async (task) => {
        await new Promise<void>((resolve) => release.set(task.id, resolve));
        return 'done';
      },
      { queue: { visibilityTimeoutMs: 60_000 } },
    );
    await s.start();
    await q.enqueue('a', { id: 'c' });
    await clock.advance(10);
    expect(await q.cancel('c', 'too late')).toBe('cancelled');
    release.get('c')!();
    await clock.advance(10);
    expect(log).toEqual(['cancelled c']);
    expect(reasons[0]).toBeInstanceOf(TaskCancelledError);
    expect(reasons[0]).toMatchObject({ reason: 'too late' });
    expect(await q.outcome('c')).toEqual({ state: 'cancelled', reason: 'too late' });
  });
});
