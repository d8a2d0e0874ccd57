import { MemoryBackend } from '@baton/memory-adapter';

const backend = new MemoryBackend();
const nodes = backend.registry('workers', { ttlMs: 10_000 });

const stopWatching = nodes.watch((event) => console.log(`${event.type}: ${event.node.id}`));
await using self = await nodes.register({ id: 'Node-01', meta: { host: 'web-1', slots: 4 } });
await nodes.register({ id: 'Node-02' });

console.log((await nodes.list()).map((n) => `${n.id} ${JSON.stringify(n.meta)}`));
await nodes.deregister('Node-02'); // a node that crashes instead leaves once its TTL runs out
console.log(
  (await nodes.list()).map((n) => n.id),
  self.node.id,
);
stopWatching();
await self.deregister();
await backend.close();
