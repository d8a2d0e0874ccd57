import { expect, it } from 'vitest';
import { ClosedError, InvalidArgumentError, SerializationError, WaitTimeoutError } from '../errors/index.js';
import type { TaskOutcome } from '../interfaces/index.js';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';

/** Results kept with finished ids, outcomes, waitFor and enqueueAndWait. */
export function resultsConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'results')('queue: results and outcomes', () => {
    it('a result given to complete is kept with the finished id: result and outcome read it', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue<string>('results');
      await q.enqueue('job', { id: 'r1' });
      const result = { rows: [1, 2, 3], note: 'ünïcödé ✓', nothing: null };
      expect(await q.complete((await q.dequeue())!, { result })).toBe(true);
      const other = b2.queue('results');
      expect(await other.result('r1')).toEqual(result);
      expect(await other.outcome('r1')).toEqual({ state: 'finished', result });
      expect(await other.isFinished('r1')).toBe(true);
      // Falsy results are results too.
      for (const [id, value] of [
        ['zero', 0],
        ['empty', ''],
        ['no', false],
        ['null', null],
      ] as const) {
        await q.enqueue('x', { id });
        await q.complete((await q.dequeue())!, { result: value });
        expect(await q.outcome(id), id).toEqual({ state: 'finished', result: value });
      }
    });

    it('there is no result before completion, without one, or for an unknown id; no outcome until the task ends', async () => {
      const q = (await h.backend()).queue('no-results');
      await q.enqueueMany([
        { payload: 1, id: 'plain' },
        { payload: 2, id: 'running' },
        { payload: 3, id: 'waiting' },
        { payload: 4, id: 'later', delayMs: 10 * h.unit },
      ]);
      const [plain, running] = await q.dequeueMany(2);
      expect(await q.complete(plain!)).toBe(true);
      expect(await q.result('plain')).toBeUndefined();
      expect(await q.outcome('plain')).toEqual({ state: 'finished', result: undefined });
      for (const id of ['running', 'waiting', 'later', 'never-enqueued']) {
        expect(await q.outcome(id), id).toBeUndefined();
        expect(await q.result(id), id).toBeUndefined();
      }
      expect(running!.id).toBe('running');
    });

    it('a result is forgotten with its finished id after retainFinishedMs', async () => {
      const q = (await h.backend()).queue('result-retention', { retainFinishedMs: 3 * h.unit });
      await q.enqueue('x', { id: 'kept' });
      await q.complete((await q.dequeue())!, { result: 'answer' });
      await h.advance(2 * h.unit);
      expect(await q.result('kept')).toBe('answer');
      await h.advance(2 * h.unit);
      expect(await q.result('kept')).toBeUndefined();
      expect(await q.outcome('kept')).toBeUndefined();
    });

    it('a result JSON cannot carry, or over maxPayloadBytes, is refused and the lease stays held', async () => {
      const q = (await h.backend()).queue('bad-results', { maxPayloadBytes: 100 });
      await q.enqueue('x', { id: 'b' });
      const lease = (await q.dequeue())!;
      const unserializable = await q.complete(lease, { result: { when: new Date(0) } }).catch((e: unknown) => e);
      expect(unserializable).toBeInstanceOf(SerializationError);
      expect((unserializable as Error).message).toMatch(/result/);
      await expect(q.complete(lease, { result: 'x'.repeat(200) })).rejects.toThrow(/maxPayloadBytes \(100\)/);
      await expect(q.complete(lease, { result: 10n })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await q.isFinished('b')).toBe(false);
      expect(await q.complete(lease, { result: 'fits' })).toBe(true);
      expect(await q.result('b')).toBe('fits');
    });

    it('a dead task has a dead outcome with its error; enqueued again, it is queued afresh and leaves the dead letters', async () => {
      const q = (await h.backend()).queue('dead-outcome', { maxAttempts: 1 });
      await q.enqueue('v1', { id: 'd' });
      expect(await q.fail((await q.dequeue())!, new Error('poison'))).toBe('dead');
      const outcome = await q.outcome('d');
      expect(outcome?.state).toBe('dead');
      expect((outcome as { error: string }).error).toContain('poison');
      expect(await q.result('d')).toBeUndefined();
      expect(await q.enqueue('v2', { id: 'd' })).toEqual({ id: 'd', status: 'queued' });
      expect(await q.outcome('d')).toBeUndefined();
      expect(await q.deadLetters()).toEqual([]);
      expect(await q.stats()).toMatchObject({ waiting: 1, dead: 0 });
      const again = (await q.dequeue())!;
      expect(again).toMatchObject({ id: 'd', payload: 'v2', attempt: 1 });
    });
  });

  describeNeeding(
    caps,
    'results',
    'events',
  )('queue: waitFor and enqueueAndWait', () => {
    it('waitFor resolves at once with an outcome that happened before the call', async () => {
      const q = (await h.backend()).queue('wait-before', { maxAttempts: 1 });
      await q.enqueueMany([
        { payload: 1, id: 'done' },
        { payload: 2, id: 'died' },
      ]);
      const [done, died] = await q.dequeueMany(2);
      await q.complete(done!, { result: 'ok' });
      await q.fail(died!, new Error('broken'));
      expect(await h.promptly(q.waitFor('done'), 'waitFor of a finished task')).toEqual({ state: 'finished', result: 'ok' });
      const dead = await h.promptly(q.waitFor('died'), 'waitFor of a dead task');
      expect(dead.state).toBe('dead');
      expect((dead as { error: string }).error).toContain('broken');
    });

    it('waitFor is woken by the completion on another node, with its result', async () => {
      const [waiter, worker] = [await h.backend(), await h.backend()];
      const q = worker.queue<number>('wait-wake');
      await q.enqueue(21, { id: 'sum' });
      const waiting = waiter.queue('wait-wake').waitFor<number>('sum', { timeoutMs: 100 * h.unit });
      await h.advance(h.unit);
      const lease = (await q.dequeue())!;
      await q.complete(lease, { result: lease.payload * 2 });
      expect(await h.promptly(waiting, 'the completion waking waitFor')).toEqual({ state: 'finished', result: 42 });
    });

    it('waitFor is woken when the task dies, with its error', async () => {
      const [waiter, worker] = [await h.backend(), await h.backend()];
      const q = worker.queue('wait-dead', { maxAttempts: 1 });
      await q.enqueue('x', { id: 'doomed' });
      const waiting = waiter.queue('wait-dead').waitFor('doomed');
      await h.advance(h.unit);
      await q.fail((await q.dequeue())!, new Error('out of memory'));
      const outcome = await h.promptly(waiting, 'the death waking waitFor');
      expect(outcome).toMatchObject({ state: 'dead' });
      expect((outcome as { error: string }).error).toContain('out of memory');
    });

    it('waitFor waits for an id that is enqueued only later', async () => {
      const [waiter, producer] = [await h.backend(), await h.backend()];
      const waiting = waiter.queue('wait-early').waitFor('not-yet', { timeoutMs: 100 * h.unit });
      await h.advance(h.unit);
      const q = producer.queue('wait-early');
      await q.enqueue('x', { id: 'not-yet' });
      await q.complete((await q.dequeue())!, { result: [1] });
      expect(await h.promptly(waiting, 'waitFor of a task enqueued after the call')).toEqual({ state: 'finished', result: [1] });
    });

    it('waitFor rejects with WaitTimeoutError after timeoutMs, and timeoutMs 0 looks once', async () => {
      const q = (await h.backend()).queue('wait-timeout');
      await q.enqueue('x', { id: 'slow' });
      const waiting = q.waitFor('slow', { timeoutMs: 3 * h.unit }).catch((e: unknown) => e);
      await h.advance(h.unit);
      let settled = false;
      void waiting.then(() => (settled = true));
      await h.advance(h.unit);
      expect(settled).toBe(false);
      await h.advance(2 * h.unit);
      const error = await waiting;
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect(error).toMatchObject({ code: 'WAIT_TIMEOUT', taskId: 'slow', timeoutMs: 3 * h.unit });
      await expect(q.waitFor('slow', { timeoutMs: 0 })).rejects.toBeInstanceOf(WaitTimeoutError);
      await q.complete((await q.dequeue())!);
      expect(await q.waitFor('slow', { timeoutMs: 0 })).toEqual({ state: 'finished', result: undefined });
      // The task was not touched by the waits that gave up.
      expect(await q.stats()).toMatchObject({ waiting: 0, active: 0 });
    });

    it('waitFor rejects with the reason of its signal, and with ClosedError when its backend closes', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const controller = new AbortController();
      const reason = new Error('caller gave up');
      const aborted = b1
        .queue('wait-abort')
        .waitFor('x', { signal: controller.signal })
        .catch((e: unknown) => e);
      const closed = b2
        .queue('wait-abort')
        .waitFor('x')
        .catch((e: unknown) => e);
      await h.advance(h.unit);
      controller.abort(reason);
      expect(await aborted).toBe(reason);
      await expect(b1.queue('wait-abort').waitFor('x', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      await b2.close();
      expect(await closed).toBeInstanceOf(ClosedError);
    });

    it('enqueueAndWait is a request/response round trip with a worker on another node', async () => {
      const [client, server] = [await h.backend(), await h.backend()];
      const worker = server.queue<{ a: number; b: number }>('rpc');
      let serving = true;
      const serve = (async () => {
        while (serving) {
          const lease = await worker.dequeue({ waitMs: h.unit });
          if (lease) await worker.complete(lease, { result: lease.payload.a + lease.payload.b });
        }
      })();
      const rpc = client.queue<{ a: number; b: number }>('rpc');
      const outcomes: TaskOutcome<number>[] = [];
      for (const [a, b] of [
        [1, 2],
        [20, 22],
      ] as const) {
        outcomes.push(await h.promptly(rpc.enqueueAndWait<number>({ a, b }, { timeoutMs: 100 * h.unit }), 'a round trip'));
      }
      serving = false;
      await h.advance(2 * h.unit);
      await serve;
      expect(outcomes).toEqual([
        { state: 'finished', result: 3 },
        { state: 'finished', result: 42 },
      ]);
    });

    it('enqueueAndWait of a finished id resolves its stored outcome; of a queued id waits for that task', async () => {
      const q = (await h.backend()).queue<string>('rpc-ids');
      await q.enqueue('first', { id: 'once' });
      await q.complete((await q.dequeue())!, { result: 'stored' });
      expect(await h.promptly(q.enqueueAndWait('again', { id: 'once' }), 'the stored outcome')).toEqual({ state: 'finished', result: 'stored' });
      await q.enqueue('queued', { id: 'dup' });
      const waiting = q.enqueueAndWait('ignored', { id: 'dup', timeoutMs: 100 * h.unit });
      await h.advance(h.unit);
      const lease = (await q.dequeue())!;
      expect(lease.payload).toBe('queued');
      await q.complete(lease, { result: lease.payload });
      expect(await h.promptly(waiting, 'the queued task finishing')).toEqual({ state: 'finished', result: 'queued' });
      await expect(q.enqueueAndWait(undefined as unknown as string)).rejects.toBeInstanceOf(SerializationError);
      await expect(q.waitFor('once', { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    });
  });
}
