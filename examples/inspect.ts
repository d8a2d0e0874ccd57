import { MemoryBackend } from '@baton/memory-adapter';

const backend = new MemoryBackend();
const mail = backend.queue<{ to: string }>('mail', { maxAttempts: 1, retainDead: { count: 1_000, ageMs: 86_400_000 } });
await mail.enqueueMany([
  { payload: { to: 'ada@example.com' }, id: 'welcome-ada' },
  { payload: { to: 'bob@example' }, id: 'welcome-bob' },
  { payload: { to: 'eve@example.com' }, id: 'digest-eve', delayMs: 60_000 },
]);
// A worker takes two tasks; one of them fails on its last attempt.
const ada = (await mail.dequeue({ holder: 'node-1' }))!;
await mail.fail((await mail.dequeue({ holder: 'node-1' }))!, new Error('invalid address'));

console.log(await backend.queues()); // [ 'mail' ]
const task = await mail.get('welcome-ada');
if (task?.state === 'active')
  console.log(`${task.id}: attempt ${task.attempt}, held by ${task.holder}, lease ends in ${Math.round((task.deadline - Date.now()) / 1000)} s`);

// Walk the dead letters page by page: the cursor names a place, so tasks leaving meanwhile shift nothing.
let cursor: string | null = null;
do {
  const page = await mail.list('dead', cursor === null ? { limit: 50 } : { limit: 50, cursor });
  for (const dead of page.tasks) if (dead.state === 'dead') console.log(`dead: ${dead.id} (${dead.lastError})`);
  cursor = page.cursor;
} while (cursor !== null);

// Hold the queue while the address is fixed, redrive the dead letter, then let workers go on.
await mail.pause();
console.log(await mail.retryDead(['welcome-bob']), await mail.dequeue()); // 1 null (paused)
await mail.resume();
const bob = (await mail.dequeue())!;
console.log(`${bob.id} again, attempt ${bob.attempt}`);

await mail.complete(ada);
await mail.complete(bob);
console.log(await mail.remove('digest-eve'), await mail.purge('finished')); // removed 2
console.log(await mail.stats());
await backend.close();
