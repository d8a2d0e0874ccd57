import { describe, expect, it } from 'vitest';
import { newTaskId, newToken } from '../src/ids/index.js';

describe('newTaskId', () => {
  it('gives version 4 UUIDs in the format crypto.randomUUID uses, never the same twice', () => {
    const seen = new Set<string>();
    // Several refills of the random pool (256 ids each).
    for (let i = 0; i < 5_000; i++) {
      const id = newTaskId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(5_000);
  });

  it('uses every hex digit in every free position (no stuck bits)', () => {
    const digitsAt = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) [...newTaskId()].forEach((c, p) => digitsAt[p]!.add(c));
    for (const [p, digits] of digitsAt.entries()) {
      if ([8, 13, 18, 23].includes(p)) expect([...digits]).toEqual(['-']);
      else if (p === 14) expect([...digits]).toEqual(['4']);
      else if (p === 19) expect(digits.size).toBe(4);
      else expect(digits.size).toBe(16);
    }
  });
});

describe('newToken', () => {
  it('gives 128-bit hex tokens, never the same twice across refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const token = newToken();
      expect(token).toMatch(/^[0-9a-f]{32}$/);
      seen.add(token);
    }
    expect(seen.size).toBe(5_000);
  });
});
