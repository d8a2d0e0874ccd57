import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

// Two nodes of one deployment (two backends on one store), each with its own handle on the queue.
const store = new MemoryStore();
const nodes = [new MemoryBackend({ store }), new MemoryBackend({ store })];
// At most 2 mails in flight and at most 3 started per 500 ms, counted across both nodes.
const options = { limits: { concurrency: 2, rate: { max: 3, perMs: 500 } } };
const [east, west] = nodes.map((node) => node.queue<string>('mail', options));
await east!.enqueueMany(['ada', 'bob', 'cy', 'dee'].map((to) => ({ payload: to })));

const first = await east!.dequeueMany(10);
console.log(`east took ${first.length}, west took ${(await west!.dequeueMany(10)).length}`); // 2 and 0
await east!.complete(first[0]!);
const third = (await west!.dequeue())!;
console.log(`a completion freed a slot: west took ${third.payload}`);

// Three leases started in this window: the next dequeue waits for the window to end (no polling).
await east!.complete(first[1]!);
await west!.complete(third);
const asked = Date.now();
const fourth = (await west!.dequeue({ waitMs: 5_000 }))!;
console.log(`west took ${fourth.payload} ${Date.now() - asked >= 300 ? 'when the window ended' : 'too soon'}`);
await west!.complete(fourth);
await Promise.all(nodes.map((node) => node.close()));
