import { describe, expect, it } from 'vitest';
import { GroupWatch, type GroupEventMessage, type GroupSnapshot } from '../src/adapter/index.js';
import { ManualClock, silentLogger, type NodeRecord, type RegistryEvent } from '../src/index.js';

const node = (id: string): NodeRecord => ({ id, meta: {}, registeredAt: 0, lastSeen: 0 });

/** A channel the test publishes on and drops, and a group whose reads the test answers one by one. */
function bed() {
  const clock = new ManualClock();
  let deliver: ((message: GroupEventMessage) => void) | undefined;
  const reconnects = new Set<() => void>();
  const reads: Array<(snapshot: GroupSnapshot) => void> = [];
  const watch = new GroupWatch(
    { clock, logger: silentLogger, closed: false, onClose: () => undefined },
    {
      listen: async (handler) => {
        deliver = handler;
        return () => (deliver = undefined);
      },
      onReconnect: (fn) => {
        reconnects.add(fn);
        return () => reconnects.delete(fn);
      },
    },
    () => new Promise<GroupSnapshot>((resolve) => reads.push(resolve)),
    60_000,
    'g',
  );
  const events: string[] = [];
  watch.add((e: RegistryEvent) => events.push(`${e.type}:${e.node.id}`));
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    events,
    reads,
    settle,
    publish: (type: 'join' | 'leave', id: string) => deliver?.({ event: { type, node: node(id) }, ttlMs: 60_000 }),
    reconnect: () => [...reconnects].forEach((fn) => fn()),
    /** Answers the oldest read with these members. */
    answer: async (...ids: string[]) => {
      await settle();
      reads.shift()!({ nodes: ids.map(node), shortestTtlMs: 60_000 });
      await settle();
    },
  };
}

describe('GroupWatch', () => {
  it('after a reconnect, announces the joins and leaves a fresh read shows were missed', async () => {
    const b = bed();
    await b.answer('a', 'b'); // the first read, once events flow
    b.reconnect();
    await b.answer('b', 'c');
    expect(b.events.sort()).toEqual(['join:c', 'leave:a']);
  });

  it('does not take back an event that arrived while its catch-up read was under way', async () => {
    const b = bed();
    await b.answer('a');
    b.reconnect();
    await b.settle();
    // c joins after the read saw the group: the read is older than the event
    b.publish('join', 'c');
    await b.answer('a');
    // so it reads again, and the second read sees c
    await b.answer('a', 'c');
    expect(b.events).toEqual(['join:c']);
  });

  it('announces nothing on its first read', async () => {
    const b = bed();
    await b.answer('a', 'b');
    expect(b.events).toEqual([]);
  });
});
