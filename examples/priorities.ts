import { MemoryBackend } from '@baton/memory-adapter';

const backend = new MemoryBackend();
const mail = backend.queue<string>('mail');

// Higher priority first; within one priority, first in first out. The default is 0.
await mail.enqueue('weekly digest', { priority: -10 });
await mail.enqueue('welcome mail');
await mail.enqueueMany([
  { payload: 'password reset', priority: 100 },
  { payload: 'invoice', priority: 0 },
]);

for (let lease = await mail.dequeue(); lease; lease = await mail.dequeue()) {
  console.log(`${lease.priority} ${lease.payload}`);
  await mail.complete(lease);
}
// 100 password reset / 0 welcome mail / 0 invoice / -10 weekly digest
await backend.close();
