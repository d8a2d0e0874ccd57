import type { Backend } from '@baton/core';

/** Real ms between two demo tasks: slow enough to read, fast enough to see something at once. */
const EVERY_MS = 700;

/**
 * For `baton watch` on the `memory:` demo, where no other process can reach the queue: a producer
 * and a worker in this process, so there are events to watch. Every EVERY_MS a task is enqueued
 * and the oldest one is leased, reports progress, and completes (one in four fails).
 */
export function startDemoTraffic(backend: Backend, queueName: string): { stop(): Promise<void> } {
  const queue = backend.queue(queueName);
  let n = 0;
  let running: Promise<void> = Promise.resolve();
  const step = async (): Promise<void> => {
    n += 1;
    await queue.enqueue({ demo: n });
    const lease = await queue.dequeue();
    if (!lease) return;
    await queue.progress(lease, { percent: 50 });
    if (n % 4 === 0) await queue.fail(lease, new Error('demo: simulated failure'));
    else await queue.complete(lease, { result: { ok: true, n } });
  };
  // The first step at once, then on a timer; a step never overlaps the previous one.
  const tick = (): void => {
    running = running.then(step).catch(() => undefined);
  };
  tick();
  const timer = setInterval(tick, EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
