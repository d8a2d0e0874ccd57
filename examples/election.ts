import { elect, inspectElection } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

// Two nodes of one deployment (in one process here: they share a store).
const store = new MemoryStore();
const [nodeA, nodeB] = [new MemoryBackend({ store }), new MemoryBackend({ store })];

const a = elect(nodeA.locks(), 'billing-cron', { ttlMs: 2_000 });
const b = elect(nodeB.locks(), 'billing-cron', { ttlMs: 2_000 });

const term = await a.whenLeader(); // resolves with this term's signal
console.log('A leads:', a.isLeader, 'B leads:', b.isLeader, 'fence:', a.fence);
term.addEventListener('abort', () => console.log('A: my term ended'));

await a.resign(); // B takes over
await b.whenLeader();
console.log('A leads:', a.isLeader, 'B leads:', b.isLeader, 'fence:', b.fence);

// Any node (or an operator's tool) can see who leads: the term's fence and time left, never a token.
const { led, term: current, candidates } = await inspectElection(nodeA.locks(), 'billing-cron');
console.log('led:', led, 'term:', current, 'candidates:', candidates);

await b.resign();
await Promise.all([nodeA.close(), nodeB.close()]);
