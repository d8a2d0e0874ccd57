import { ManualClock } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../src/index.js';

const backends: MemoryBackend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

function setup(): { clock: ManualClock; backend: MemoryBackend } {
  const clock = new ManualClock();
  const backend = new MemoryBackend({ clock });
  backends.push(backend);
  return { clock, backend };
}

async function runOne(queue: ReturnType<MemoryBackend['queue']>, id: string): Promise<void> {
  expect((await queue.enqueue({ id }, { id })).status).toBe('queued');
  const lease = await queue.dequeue();
  expect(lease?.id).toBe(id);
  expect(await queue.complete(lease!)).toBe(true);
}

describe('memory queue: finished-id retention', () => {
  it('refuses a finished id until retainFinishedMs has passed, then runs it again', async () => {
    const { clock, backend } = setup();
    const queue = backend.queue('q', { retainFinishedMs: 1_000 });
    await runOne(queue, 'a');
    await clock.advance(500);
    await runOne(queue, 'b');
    expect((await queue.enqueue({}, { id: 'a' })).status).toBe('finished');
    expect(await queue.isFinished('a')).toBe(true);
    await clock.advance(500);
    expect(await queue.isFinished('a')).toBe(false);
    expect(await queue.isFinished('b')).toBe(true);
    // 'a' expired: it runs again and is retained from its new completion on.
    await runOne(queue, 'a');
    await clock.advance(600);
    expect(await queue.isFinished('b')).toBe(false);
    expect(await queue.isFinished('a')).toBe(true);
    expect((await queue.enqueue({}, { id: 'a' })).status).toBe('finished');
    await clock.advance(400);
    expect(await queue.isFinished('a')).toBe(false);
    expect(await queue.stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
  });

  it('a handle with a shorter retention forgets ids a longer one still refuses', async () => {
    const { clock, backend } = setup();
    const long = backend.queue('q', { retainFinishedMs: 10_000 });
    const short = backend.queue('q', { retainFinishedMs: 100 });
    await runOne(long, 'x');
    await clock.advance(200);
    expect(await long.isFinished('x')).toBe(true);
    expect(await short.isFinished('x')).toBe(false);
    // Forgotten by the short handle's look, so the id is free again for everyone.
    expect(await long.isFinished('x')).toBe(false);
    expect((await long.enqueue({}, { id: 'x' })).status).toBe('queued');
  });

  it('a waiting, active or finished id is a duplicate or finished, never queued twice', async () => {
    const { backend } = setup();
    const queue = backend.queue('q');
    expect((await queue.enqueue(1, { id: 't' })).status).toBe('queued');
    expect((await queue.enqueue(2, { id: 't' })).status).toBe('duplicate');
    const lease = await queue.dequeue();
    expect(lease?.payload).toBe(1);
    expect((await queue.enqueue(3, { id: 't' })).status).toBe('duplicate');
    expect(await queue.complete(lease!)).toBe(true);
    expect(await queue.complete(lease!)).toBe(false);
    expect(await queue.fail(lease!, new Error('late'))).toBe('lost');
    expect(await queue.extend(lease!, 1_000)).toBe(false);
    expect((await queue.enqueue(4, { id: 't' })).status).toBe('finished');
    expect(await queue.dequeue()).toBeNull();
  });
});
