import { ManualClock, silentLogger } from '@baton/core';
import { resolveQueueOptions } from '@baton/core/adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendScope } from '../src/backend-scope.js';
import { MemoryQueueStore } from '../src/memory-queue-store.js';
import { MemoryStore } from '../src/memory-store.js';

const scopes: BackendScope[] = [];
afterEach(() => {
  for (const scope of scopes.splice(0)) scope.close();
});

function setup(): { clock: ManualClock; store: MemoryQueueStore } {
  const clock = new ManualClock();
  const scope = new BackendScope(clock, silentLogger, new MemoryStore(), Math.random);
  scopes.push(scope);
  return { clock, store: new MemoryQueueStore('q', resolveQueueOptions({}), scope) };
}

// The store's wait takes a signal (QueueStore.lease); the Queue passes one once dequeue accepts it.
describe('memory queue store: a lease wait', () => {
  it('ends with no tasks when its signal aborts, and an enqueue after that stays waiting', async () => {
    const { store } = setup();
    const stop = new AbortController();
    const leased = store.lease(1, { waitMs: 60_000, signal: stop.signal });
    stop.abort();
    expect(await leased).toEqual([]);
    await store.add([{ id: 'a', json: '1', delayMs: 0, priority: 0 }]);
    expect(await store.stats()).toMatchObject({ waiting: 1, active: 0 });
  });

  it('with an aborted signal still takes what is ready, without waiting', async () => {
    const { store } = setup();
    await store.add([{ id: 'a', json: '1', delayMs: 0, priority: 0 }]);
    const leases = await store.lease(2, { waitMs: 60_000, signal: AbortSignal.abort() });
    expect(leases.map((l) => l.id)).toEqual(['a']);
    expect(await store.lease(1, { waitMs: 60_000, signal: AbortSignal.abort() })).toEqual([]);
  });
});
