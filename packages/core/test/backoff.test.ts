import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/adapter/index.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 100, maxMs: 1_000 };

  it('doubles per attempt within the upper half of the ceiling', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(100);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
    expect(backoffDelay(3, policy, () => 0.999999)).toBe(400);
  });

  it('is capped at maxMs however many attempts failed', () => {
    expect(backoffDelay(50, policy, () => 0.999999)).toBe(1_000);
    expect(backoffDelay(10_000, policy, () => 0)).toBe(500);
  });

  it('spreads retries of the same attempt (jitter)', () => {
    const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(4, policy)));
    expect(draws.size).toBeGreaterThan(10);
  });
});
