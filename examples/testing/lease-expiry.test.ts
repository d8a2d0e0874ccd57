import { expect, it } from 'vitest';
import { ManualClock } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';

it('a task whose worker vanished runs again after the visibility timeout', async () => {
  const clock = new ManualClock();
  const backend = new MemoryBackend({ clock });
  const jobs = backend.queue<string>('jobs', { visibilityTimeoutMs: 30_000 });

  await jobs.enqueue('resize cat.png', { id: 'cat' });
  const lease = await jobs.dequeue(); // this worker "crashes" and never completes
  expect(lease?.attempt).toBe(1);

  await clock.advance(31_000); // 31 s pass instantly: no real waiting
  expect(await jobs.recoverStalled()).toBe(1);
  const retry = await jobs.dequeue();
  expect(retry).toMatchObject({ id: 'cat', attempt: 2 });
  expect(await jobs.complete(lease!)).toBe(false); // the stale worker's result is refused
  await backend.close();
});
