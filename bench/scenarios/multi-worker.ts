import { Scheduler, SystemClock } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';

/**
 * One worker process of the multi-process scenario: a Scheduler on the queue named in argv at
 * concurrency 50, started on the parent's "go"; completions are reported to the parent in
 * batches (one IPC message per event-loop turn at most).
 */
const [url, queue] = process.argv.slice(2) as [string, string];
const backend = new RedisBackend({ url });
const scheduler = new Scheduler(backend, new SystemClock());
let pending = 0;
let scheduled = false;
scheduler.handle(queue, async () => undefined, { concurrency: 50 });
scheduler.on('completed', () => {
  pending++;
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    process.send?.({ done: pending });
    pending = 0;
  });
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'go') void scheduler.start();
  if (message.type === 'stop') {
    void scheduler
      .stop()
      .then(() => backend.close())
      .then(() => process.exit(0));
  }
});
process.send?.({ ready: true });
