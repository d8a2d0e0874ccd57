import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SerializationError } from '../errors/index.js';
import { MAX_NAME_LENGTH } from '../validation/index.js';
import { longName, type Harness } from './harness.js';

function cyclic(): unknown {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}

/** Every public entry refuses bad input with a typed error that names the argument, and nothing is stored. */
export function inputConformance(h: Harness): void {
  describe('bad input', () => {
    it('names must be 1 to 200 characters, and the error says the limit', async () => {
      const b = await h.backend();
      expect(() => b.queue('')).toThrow(InvalidArgumentError);
      expect(() => b.queue(longName(MAX_NAME_LENGTH + 1))).toThrow(/at most 200/);
      expect(() => b.queue(42 as unknown as string)).toThrow(InvalidArgumentError);
      expect(() => b.registry('')).toThrow(InvalidArgumentError);
      await expect(b.locks().acquire('')).rejects.toThrow(InvalidArgumentError);
      await expect(b.locks().tryAcquire(longName(MAX_NAME_LENGTH + 1))).rejects.toThrow(/at most 200/);
      expect(b.queue(longName(MAX_NAME_LENGTH)).name).toHaveLength(MAX_NAME_LENGTH);
    });

    it('payloads JSON cannot carry faithfully are refused with SerializationError and nothing is queued', async () => {
      const q = (await h.backend()).queue('bad-payloads');
      const bad: Array<[string, unknown]> = [
        ['undefined', undefined],
        ['a function', () => 1],
        ['a symbol', Symbol('s')],
        ['a BigInt', 10n],
        ['a cycle', cyclic()],
        ['NaN', Number.NaN],
        ['Infinity', Number.POSITIVE_INFINITY],
        ['nested undefined', { a: { b: undefined } }],
        ['a nested function', [1, () => 2]],
        ['a Date', new Date(0)],
        ['a Map', new Map([[1, 2]])],
      ];
      for (const [label, payload] of bad) {
        const error = await q.enqueue(payload).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, label).toBeInstanceOf(SerializationError);
        expect(error, label).toBeInstanceOf(InvalidArgumentError);
        expect((error as SerializationError).code, label).toBe('SERIALIZATION');
        expect((error as Error).message, label).toMatch(/payload/);
      }
      expect(await q.stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
    });

    it('a payload over maxPayloadBytes is refused, one at the limit is accepted', async () => {
      const q = (await h.backend()).queue('big', { maxPayloadBytes: 100 });
      const atLimit = 'x'.repeat(98); // two bytes of JSON quotes
      expect((await q.enqueue(atLimit)).status).toBe('queued');
      await expect(q.enqueue(`${atLimit}y`)).rejects.toThrow(/maxPayloadBytes \(100\)/);
      await expect(q.enqueue('ü'.repeat(50))).rejects.toBeInstanceOf(InvalidArgumentError);
      expect((await q.stats()).waiting).toBe(1);
    });

    it('ids, delays and waits must be valid; one bad item in enqueueMany stores none', async () => {
      const q = (await h.backend()).queue('bad-args');
      await expect(q.enqueue('x', { id: '' })).rejects.toThrow(/options\.id/);
      await expect(q.enqueue('x', { id: longName(201) })).rejects.toThrow(/at most 200/);
      for (const delayMs of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(q.enqueue('x', { delayMs }), String(delayMs)).rejects.toThrow(/delayMs/);
      }
      for (const waitMs of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(q.dequeue({ waitMs }), String(waitMs)).rejects.toThrow(/waitMs/);
      }
      for (const max of [0, -3, 2.5, Number.NaN]) {
        await expect(q.dequeueMany(max), String(max)).rejects.toThrow(/max/);
      }
      await expect(q.enqueueMany([{ payload: 1 }, { payload: undefined }, { payload: 3 }])).rejects.toThrow(/items\[1\]|payload/);
      await expect(q.enqueueMany('nope' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(q.complete({} as never)).rejects.toThrow(/lease/);
      await expect(q.extend({ id: 'a', token: 'b' } as never, 0)).rejects.toThrow(/ms/);
      expect((await q.stats()).waiting).toBe(0);
    });

    it('queue options must be positive finite integers', async () => {
      const b = await h.backend();
      for (const bad of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => b.queue('q', { visibilityTimeoutMs: bad }), String(bad)).toThrow(/visibilityTimeoutMs/);
        expect(() => b.queue('q', { maxAttempts: bad }), String(bad)).toThrow(/maxAttempts/);
        expect(() => b.queue('q', { retainFinishedMs: bad }), String(bad)).toThrow(/retainFinishedMs/);
      }
      expect(() => b.queue('q', { backoff: { baseMs: 100, maxMs: 10 } })).toThrow(/maxMs/);
      expect(() => b.queue('q', { maxPayloadBytes: 0 })).toThrow(/maxPayloadBytes/);
    });

    it('lock TTLs and waits must be valid', async () => {
      const locks = (await h.backend()).locks();
      for (const ttlMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(locks.acquire('r', { ttlMs }), String(ttlMs)).rejects.toThrow(/ttlMs/);
        await expect(locks.tryAcquire('r', { ttlMs }), String(ttlMs)).rejects.toThrow(/ttlMs/);
      }
      await expect(locks.acquire('r', { waitMs: -1 })).rejects.toThrow(/waitMs/);
      await expect(locks.acquire('r', { waitMs: Number.NaN })).rejects.toThrow(/waitMs/);
      const held = await locks.tryAcquire('r', { ttlMs: 5 * h.unit });
      expect(held).not.toBeNull();
      await expect(held!.extend(0)).rejects.toThrow(/ttlMs/);
      await expect(locks.withLock('r2', 'not a function' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await held!.release()).toBe(true);
    });

    it('registry node ids, meta and TTLs must be valid', async () => {
      const r = (await h.backend()).registry('bad-nodes');
      await expect(r.register({ id: '' })).rejects.toThrow(/node\.id/);
      await expect(r.register({ id: longName(201) })).rejects.toThrow(/at most 200/);
      await expect(r.register({ id: 'n', meta: { nested: {} as never } })).rejects.toThrow(/node\.meta\.nested/);
      await expect(r.register({ id: 'n' }, { ttlMs: 0 })).rejects.toThrow(/ttlMs/);
      await expect(r.register({ id: 'n' }, { ttlMs: 2.5 })).rejects.toThrow(/ttlMs/);
      await expect(r.deregister('')).rejects.toThrow(InvalidArgumentError);
      expect(() => r.watch('not a function' as never)).toThrow(/listener/);
      expect(await r.list()).toEqual([]);
    });
  });
}
