import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';

describe('eventually', () => {
  it('returns once a predicate turns true, after checking again between tries', async () => {
    let calls = 0;
    await eventually(() => ++calls >= 3, { what: 'the third call', intervalMs: 1 });
    expect(calls).toBe(3);
  });

  it('accepts a check that throws until it passes, and one that returns nothing', async () => {
    let calls = 0;
    await eventually(
      () => {
        calls++;
        expect(calls).toBeGreaterThan(2);
      },
      { what: 'the third call', intervalMs: 1 },
    );
    expect(calls).toBe(3);
  });

  it('gives up after timeoutMs, names what it waited for and keeps the last error as the cause', async () => {
    const failure = new Error('still 2 unfinished');
    const error = await eventually(
      () => {
        throw failure;
      },
      { what: 'every task to finish', timeoutMs: 30, intervalMs: 5 },
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^timed out after \d+ ms \(limit 30 ms\) waiting for every task to finish; the last check threw: still 2 unfinished$/);
    expect(error?.cause).toBe(failure);
  });

  it('checks once more at the deadline, so a check that is slower than the timeout still gets its answer', async () => {
    let calls = 0;
    await eventually(
      async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 30));
        return calls === 2;
      },
      { what: 'the second call', timeoutMs: 10 },
    );
    expect(calls).toBe(2);
  });
});
