import { describe, expect, it } from 'vitest';
import { NotSupportedError } from '../src/errors/index.js';
import type { Lease } from '../src/interfaces/index.js';
import { StoreQueue, resolveQueueOptions, type QueueStore } from '../src/queue/index.js';

/**
 * A first-generation store: the required methods only, no `supports`. Each call is recorded, so a
 * test can check that an option the store cannot keep was refused before anything reached it.
 */
function firstGenerationStore(calls: string[]): QueueStore {
  const lease: Lease<unknown> = { id: 'a', payload: 1, attempt: 1, enqueuedAt: 0, token: 't', deadline: 1 } as Lease<unknown>;
  return {
    add: async (tasks) => {
      calls.push('add');
      return tasks.map((t) => ({ id: t.id, status: 'queued' as const }));
    },
    lease: async () => {
      calls.push('lease');
      return [{ ...lease }];
    },
    complete: async () => true,
    fail: async () => true,
    extend: async () => true,
    isFinished: async () => false,
    recoverStalled: async () => 0,
    stats: async () => ({ waiting: 0, active: 0, delayed: 0, dead: 0 }),
    deadLetters: async () => {
      calls.push('deadLetters');
      return [{ id: 'd', payload: 1, attempt: 1, enqueuedAt: 0 } as Lease<unknown>];
    },
  };
}

function queueOver(calls: string[]): StoreQueue<number> {
  return new StoreQueue<number>('q', firstGenerationStore(calls), resolveQueueOptions({}), { assertOpen: () => undefined });
}

describe('StoreQueue over a store without the optional behaviours', () => {
  it('refuses a priority other than 0 and headers with NotSupportedError, before the store is called', async () => {
    const calls: string[] = [];
    const q = queueOver(calls);
    const refused = await q.enqueue(1, { priority: 3 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotSupportedError);
    expect(refused).toMatchObject({ code: 'NOT_SUPPORTED', capability: 'priorities', operation: 'options.priority' });
    await expect(q.enqueue(1, { headers: { a: 'b' } })).rejects.toMatchObject({ code: 'NOT_SUPPORTED', capability: 'headers' });
    await expect(q.enqueueMany([{ payload: 1 }, { payload: 2, priority: -1 }])).rejects.toMatchObject({ operation: 'items[1].priority' });
    expect(calls).toEqual([]);
    // Priority 0 is what every store keeps.
    expect(await q.enqueue(1, { priority: 0 })).toMatchObject({ status: 'queued' });
    expect(calls).toEqual(['add']);
  });

  it('gives leases and dead letters priority 0 when the store does not keep priorities', async () => {
    const q = queueOver([]);
    expect((await q.dequeue())!.priority).toBe(0);
    expect((await q.deadLetters())[0]!.priority).toBe(0);
  });

  it('refuses inspection and pause with NotSupportedError naming the capability, after checking the arguments', async () => {
    const q = queueOver([]);
    const cases: Array<[Promise<unknown>, string, string]> = [
      [q.get('a'), 'queue.get', 'inspection'],
      [q.list('dead'), 'queue.list', 'inspection'],
      [q.retryDead({ all: true }), 'queue.retryDead', 'inspection'],
      [q.remove('a'), 'queue.remove', 'inspection'],
      [q.purge('dead'), 'queue.purge', 'inspection'],
      [q.pause(), 'queue.pause', 'pause'],
      [q.resume(), 'queue.resume', 'pause'],
      [q.isPaused(), 'queue.isPaused', 'pause'],
    ];
    for (const [call, operation, capability] of cases) await expect(call).rejects.toMatchObject({ code: 'NOT_SUPPORTED', operation, capability });
    await expect(q.list('nope' as 'dead')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(q.list('dead', { cursor: '@' })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
});
