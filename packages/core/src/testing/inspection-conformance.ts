import { expect, it } from 'vitest';
import type { BatonError } from '../errors/index.js';
import type { DeadTaskInfo, DelayedTaskInfo, FinishedTaskInfo, Queue, TaskState } from '../interfaces/index.js';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';
import { adminConformance } from './admin-conformance.js';

/** Every id of a state's page walk, page after page, with the page sizes. */
export async function walk(q: Queue, state: TaskState, limit: number, between?: (page: number) => Promise<void>): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await q.list(state, cursor === undefined || cursor === null ? { limit } : { limit, cursor });
    ids.push(...page.tasks.map((t) => t.id));
    sizes.push(page.tasks.length);
    cursor = page.cursor;
    // A cursor that does not move on would loop forever: fail instead.
    if (sizes.length > 1_000) throw new Error(`the ${state} walk did not end after 1,000 pages`);
    if (cursor !== null) await between?.(sizes.length);
  } while (cursor !== null);
  return { ids, sizes };
}

/** The code of what `promise` rejects with (fails when it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as BatonError | undefined;
  if (error === undefined) throw 'expected a rejection';
  return error.code;
}

const ids = (n: number, prefix = 't'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

/** queue.get, queue.list and backend.queues(): what a queue holds, read from any node. */
export function inspectionConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'inspection')('queue: inspection', () => {
    it('get reports every state with its fields, from any node; an unknown id is undefined', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue<string>('inspect-get', { maxAttempts: 1, visibilityTimeoutMs: 10 * h.unit });
      await q.enqueue('act', { id: 'a' });
      const lease = (await q.dequeue({ holder: 'node-a' }))!;
      if (caps.progress) await q.progress(lease, { done: 3 });
      await q.enqueueMany([
        { payload: 'wait', id: 'w', ...(caps.priorities ? { priority: 2 } : {}), ...(caps.headers ? { headers: { trace: 'x' } } : {}) },
        { payload: 'later', id: 'd', delayMs: 5 * h.unit },
        { payload: 'fin', id: 'f' },
        { payload: 'die', id: 'x' },
        { payload: 'stop', id: 'c' },
      ]);
      const [w, f, x] = await q.dequeueMany(3);
      expect([w!.id, f!.id, x!.id]).toEqual(['w', 'f', 'x']);
      await q.enqueue('wait', { id: 'w2' });
      await q.complete(f!, caps.results ? { result: { ok: 1 } } : undefined);
      await q.fail(x!, 'boom');
      await q.fail(w!, 'unused');
      if (caps.cancel) await q.cancel('c', 'not needed');

      const other = b2.queue<string>('inspect-get');
      const active = await other.get('a');
      expect(active).toMatchObject({
        id: 'a',
        state: 'active',
        payload: 'act',
        attempt: 1,
        enqueuedAt: lease.enqueuedAt,
        deadline: lease.deadline,
        holder: 'node-a',
        priority: 0,
      });
      if (caps.progress) expect(active).toMatchObject({ progress: { done: 3 } });

      const delayed = await other.get('d');
      expect(delayed).toMatchObject({ id: 'd', state: 'delayed', payload: 'later', attempt: 0 });
      const { dueAt, enqueuedAt } = delayed as DelayedTaskInfo;
      expect(dueAt - enqueuedAt).toBe(5 * h.unit);

      const dead = await other.get('x');
      expect(dead).toMatchObject({ id: 'x', state: 'dead', payload: 'die', attempt: 1, lastError: 'boom' });
      expect(typeof (dead as DeadTaskInfo).endedAt).toBe('number');

      const finished = await other.get('f');
      expect(finished).toMatchObject({ id: 'f', state: 'finished' });
      expect(typeof (finished as FinishedTaskInfo).endedAt).toBe('number');
      expect(finished).not.toHaveProperty('payload');
      if (caps.results) expect(finished).toMatchObject({ result: { ok: 1 } });

      // maxAttempts 1 and a failure: w died too, so the waiting one is w2.
      const waiting = await other.get('w2');
      expect(waiting).toMatchObject({ id: 'w2', state: 'waiting', payload: 'wait', attempt: 0, priority: 0 });
      expect(await other.get('w')).toMatchObject({ state: 'dead', lastError: 'unused', ...(caps.priorities ? { priority: 2 } : {}) });
      if (caps.headers) expect(await other.get('w')).toMatchObject({ headers: { trace: 'x' } });

      if (caps.cancel) expect(await other.get('c')).toMatchObject({ id: 'c', state: 'cancelled', reason: 'not needed' });
      expect(await other.get('never')).toBeUndefined();
    });

    it('get follows a task through a retry: delayed with its last error and attempt, then waiting, then forgotten after retention', async () => {
      const q = (await h.backend()).queue('inspect-retry', { maxAttempts: 3, retainFinishedMs: 4 * h.unit });
      await q.enqueue(1, { id: 'r' });
      await q.fail((await q.dequeue())!, 'first', { retryInMs: 2 * h.unit });
      expect(await q.get('r')).toMatchObject({ state: 'delayed', attempt: 1, lastError: 'first' });
      await h.advance(3 * h.unit);
      expect(await q.get('r')).toMatchObject({ state: 'waiting', attempt: 1, lastError: 'first' });
      await q.complete((await q.dequeue())!);
      expect(await q.get('r')).toMatchObject({ state: 'finished' });
      await h.advance(5 * h.unit);
      expect(await q.get('r')).toBeUndefined();
    });

    it('list walks a state in pages with a cursor, in lease order, and says when it ends', async () => {
      const q = (await h.backend()).queue('inspect-pages');
      await q.enqueueMany(ids(25).map((id) => ({ payload: id, id })));
      const { ids: seen, sizes } = await walk(q, 'waiting', 10);
      expect(sizes).toEqual([10, 10, 5]);
      expect(seen).toEqual(ids(25));
      const empty = await q.list('dead');
      expect(empty).toEqual({ tasks: [], cursor: null });
      const first = await q.list('waiting', { limit: 3 });
      expect(first.tasks.map((t) => t.state)).toEqual(['waiting', 'waiting', 'waiting']);
      expect(first.tasks[0]).toMatchObject({ id: 't00', payload: 't00', attempt: 0 });
    });

    it('a page walk neither repeats nor skips tasks while others leave the state between pages', async () => {
      const q = (await h.backend()).queue('inspect-moving');
      await q.enqueueMany(ids(30).map((id) => ({ payload: id, id })));
      const { ids: seen } = await walk(q, 'waiting', 10, async (page) => {
        // The first page's tasks are leased and a task of the last page is removed meanwhile.
        if (page === 1) expect((await q.dequeueMany(5)).map((l) => l.id)).toEqual(ids(5));
        if (page === 2) expect(await q.remove('t25')).toBe('removed');
      });
      expect(seen).toEqual(ids(30).filter((id) => id !== 't25'));
    });

    it('each state lists in its order: delayed by due time, active by deadline, dead, finished and cancelled newest first', async () => {
      const q = (await h.backend()).queue('inspect-orders', { maxAttempts: 1, visibilityTimeoutMs: 20 * h.unit });
      await q.enqueueMany([
        { payload: 0, id: 'late', delayMs: 9 * h.unit },
        { payload: 0, id: 'soon', delayMs: 7 * h.unit },
        { payload: 0, id: 'a1' },
        { payload: 0, id: 'a2' },
        { payload: 0, id: 'a3' },
      ]);
      const [a1, a2, a3] = await q.dequeueMany(3);
      await q.extend(a1!, 30 * h.unit);
      expect((await q.list('delayed')).tasks.map((t) => t.id)).toEqual(['soon', 'late']);
      expect((await q.list('active')).tasks.map((t) => t.id)).toEqual(['a2', 'a3', 'a1']);
      await q.fail(a2!, 'x');
      await h.advance(h.unit);
      await q.fail(a3!, 'y');
      expect((await q.list('dead')).tasks.map((t) => t.id)).toEqual(['a3', 'a2']);
      expect((await q.list('dead')).tasks[0]).toMatchObject({ state: 'dead', lastError: 'y' });
      await q.complete(a1!);
      await q.enqueueMany([{ payload: 0, id: 'b1' }]);
      await h.advance(h.unit);
      await q.complete((await q.dequeue())!);
      expect((await q.list('finished')).tasks.map((t) => t.id)).toEqual(['b1', 'a1']);
      if (caps.cancel) {
        await q.enqueueMany([
          { payload: 0, id: 'c1' },
          { payload: 0, id: 'c2' },
        ]);
        await q.cancel('c1');
        await h.advance(h.unit);
        await q.cancel('c2', 'why');
        expect((await q.list('cancelled')).tasks).toMatchObject([{ id: 'c2', state: 'cancelled', reason: 'why' }, { id: 'c1' }]);
      }
    });

    it('list orders waiting tasks by priority, then first in first out', async () => {
      if (!caps.priorities) return;
      const q = (await h.backend()).queue('inspect-priorities');
      await q.enqueueMany([
        { payload: 0, id: 'low', priority: -1 },
        { payload: 0, id: 'mid1' },
        { payload: 0, id: 'high', priority: 5 },
        { payload: 0, id: 'mid2' },
      ]);
      const { ids: seen } = await walk(q, 'waiting', 1);
      expect(seen).toEqual(['high', 'mid1', 'mid2', 'low']);
      expect((await q.dequeueMany(4)).map((l) => l.id)).toEqual(seen);
    });

    it('backend.queues() names the queues enqueued to or leased from on any node, sorted; a handle alone is not a queue', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      expect(await b1.queues()).toEqual([]);
      b1.queue('only-a-handle');
      await b1.queue('q-beta').enqueue(1);
      await b2.queue('q-alpha').dequeue();
      expect(await b2.queues()).toEqual(['q-alpha', 'q-beta']);
      expect(await b1.queues()).toEqual(['q-alpha', 'q-beta']);
    });

    it('bad arguments are refused with typed errors and codes', async () => {
      const q = (await h.backend()).queue('inspect-input');
      await q.enqueueMany(ids(3).map((id) => ({ payload: id, id })));
      const page = await q.list('waiting', { limit: 1 });
      expect(await codeOf(q.list('sleeping' as TaskState))).toBe('INVALID_ARGUMENT');
      for (const limit of [0, -1, 1.5, 1_001, Number.NaN]) expect(await codeOf(q.list('waiting', { limit }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(q.list('waiting', { cursor: 'not a cursor!' }))).toBe('INVALID_CURSOR');
      expect(await codeOf(q.list('dead', { cursor: page.cursor! }))).toBe('INVALID_CURSOR');
      const garbled = Buffer.from('waiting\n\u0000garbled position').toString('base64url');
      expect(await codeOf(q.list('waiting', { cursor: garbled }))).toBe('INVALID_CURSOR');
      expect(await codeOf(q.get(''))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(q.remove(42 as unknown as string))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(q.purge('active' as 'waiting'))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(q.purge('nope' as 'waiting'))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(q.retryDead({ all: false } as unknown as { all: true }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(q.retryDead(['ok', ''] as string[]))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(q.dequeue({ holder: '' }))).toBe('INVALID_ARGUMENT');
      expect((await q.stats()).waiting).toBe(3);
    });
  });

  adminConformance(h, caps);
}
