import { expect, it } from 'vitest';
import { ManualClock, Scheduler } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';

it('a handler that keeps failing is retried with backoff, then dead-lettered', async () => {
  const clock = new ManualClock();
  const backend = new MemoryBackend({ clock });
  const scheduler = new Scheduler(backend, clock);
  const attempts: number[] = []; // clock times of each attempt
  scheduler.handle(
    'invoices',
    async () => {
      attempts.push(clock.now());
      throw new Error('payment provider is down');
    },
    { queue: { maxAttempts: 3, backoff: { baseMs: 10_000, maxMs: 60_000 } } },
  );
  const dead: string[] = [];
  scheduler.on('dead', (task, error) => dead.push(`${task.id}: ${String(error)}`));

  await backend.queue('invoices').enqueue({ amount: 42 }, { id: 'inv-1' });
  await scheduler.start();
  // let the clock run until the task is dead; no real waiting, whatever the backoff
  await clock.advanceUntil(() => dead.length === 1, { maxMs: 5 * 60_000, what: 'inv-1 to be dead-lettered' });

  expect(attempts).toHaveLength(3);
  const [first, second, third] = attempts as [number, number, number];
  expect(second - first).toBeGreaterThanOrEqual(5_000); // backoff 1: 5-10 s (jitter)
  expect(third - second).toBeGreaterThanOrEqual(10_000); // backoff 2: 10-20 s
  expect(dead).toEqual(['inv-1: Error: payment provider is down']);
  const [letter] = await backend.queue('invoices').deadLetters();
  expect(letter).toMatchObject({ id: 'inv-1', attempt: 3, payload: { amount: 42 } });

  await scheduler.stop();
  await backend.close();
});
