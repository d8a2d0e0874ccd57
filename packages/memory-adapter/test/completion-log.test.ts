import { describe, expect, it } from 'vitest';
import { CompletionLog, type FinishedMark } from '../src/completion-log.js';

const mark = (finishedAt: number): FinishedMark => ({ state: 'finished', finishedAt });

describe('completion log', () => {
  it('hands back ids and marks in completion order across runs of a shared mark', () => {
    const log = new CompletionLog();
    const [m1, m2] = [mark(1), mark(2)];
    log.push('a', m1);
    log.push('b', m1);
    log.push('c', m2);
    expect([log.peekMark(), log.shift()]).toEqual([m1, 'a']);
    expect([log.peekMark(), log.shift()]).toEqual([m1, 'b']);
    expect([log.peekMark(), log.shift()]).toEqual([m2, 'c']);
    expect(log.peekMark()).toBeUndefined();
    expect(log.shift()).toBeUndefined();
  });

  it('matches a plain list of (id, mark) pairs under random pushes and shifts', () => {
    const log = new CompletionLog();
    const model: Array<[string, FinishedMark]> = [];
    let seed = 42;
    const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let current = mark(0);
    for (let step = 0; step < 20_000; step++) {
      if (rand() < 0.1) current = mark(step);
      if (rand() < 0.55) {
        log.push(`id-${step}`, current);
        model.push([`id-${step}`, current]);
      } else {
        expect(log.peekMark()).toBe(model[0]?.[1]);
        expect(log.shift()).toBe(model.shift()?.[0]);
      }
    }
    while (model.length > 0) {
      expect(log.peekMark()).toBe(model[0]![1]);
      expect(log.shift()).toBe(model.shift()![0]);
    }
    expect(log.peekMark()).toBeUndefined();
  });
});
