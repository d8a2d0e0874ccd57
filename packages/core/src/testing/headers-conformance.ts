import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import { MAX_HEADERS_BYTES } from '../validation/index.js';
import { describeIf, type ConformanceCapabilities, type Harness } from './harness.js';

/** Task headers: stored with the task and handed back unchanged, bounded in size. */
export function headersConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeIf(caps.headers, 'headers')('queue: headers', () => {
    it('headers come back unchanged on every lease and on the dead letter; a task without them has none', async () => {
      const q = (await h.backend()).queue('headers', { maxAttempts: 2 });
      const headers = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'congo=t61rcWkgMzE', 'x-ünï': '✓ "quoted"' };
      await q.enqueue('with', { id: 'with', headers });
      await q.enqueue('without', { id: 'without' });
      const [first, plain] = await q.dequeueMany(2);
      expect(first!.headers).toEqual(headers);
      expect(plain!.id).toBe('without');
      expect(plain!.headers).toBeUndefined();
      // What a handler does to its copy is not stored.
      first!.headers!.traceparent = 'changed';
      expect(await q.fail(first!, new Error('again'), { retryInMs: 0 })).toBe('retry');
      const second = (await q.dequeue())!;
      expect(second.headers).toEqual(headers);
      expect(await q.fail(second, new Error('dies'))).toBe('dead');
      expect((await q.deadLetters())[0]!.headers).toEqual(headers);
    });

    it('headers with a non-string value, an empty key or over MAX_HEADERS_BYTES are refused and nothing is stored', async () => {
      const q = (await h.backend()).queue('headers-bad');
      const bad: Array<[string, unknown]> = [
        ['a number value', { n: 1 }],
        ['an empty key', { '': 'x' }],
        ['not an object', 'traceparent'],
        ['an array', ['a']],
        ['too large', { big: 'x'.repeat(MAX_HEADERS_BYTES) }],
      ];
      for (const [label, headers] of bad) {
        await expect(q.enqueue('x', { headers: headers as Record<string, string> }), label).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      await expect(q.enqueueMany([{ payload: 1 }, { payload: 2, headers: { n: 2 as unknown as string } }])).rejects.toThrow(/items\[1\]\.headers/);
      const atLimit = { k: 'x'.repeat(MAX_HEADERS_BYTES - '{"k":""}'.length) };
      expect((await q.enqueue('fits', { headers: atLimit })).status).toBe('queued');
      expect((await q.stats()).waiting).toBe(1);
    });
  });
}
