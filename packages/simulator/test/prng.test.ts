import { describe, expect, it } from 'vitest';
import { Prng } from '@baton/simulator';

describe('Prng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number): number[] => {
      const rng = new Prng(seed);
      return Array.from({ length: 8 }, () => rng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('draws integers within bounds, both ends included', () => {
    const rng = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) seen.add(rng.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('forks streams that do not depend on how much the parent drew', () => {
    const a = new Prng(9);
    const b = new Prng(9);
    for (let i = 0; i < 100; i++) b.next();
    expect(a.fork('faults').next()).toBe(b.fork('faults').next());
    expect(a.fork('faults').next()).not.toBe(a.fork('work').next());
  });
});
