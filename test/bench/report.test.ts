import { describe, expect, it } from 'vitest';
import { abTable, alternate, resolveAbSides, type AbSide } from '../../bench/lib/ab.js';
import type { ScenarioResult } from '../../bench/lib/metrics.js';
import { CEILING, ceilingTable, evaluateTargets, type Results } from '../../bench/lib/report.js';

const result = (subject: string, values: ScenarioResult['values']): ScenarioResult => ({ subject, suite: 'lock', settings: '', values, notes: [] });
const PLAN = [
  { group: 'lock', subject: 'baton', file: 'baton-lock.ts', args: [] },
  { group: 'lock', subject: 'redlock', file: 'redlock-lock.ts', args: [] },
];

describe('bench report', () => {
  it('shows each one-at-a-time figure as a share of the ceiling of the same run, and judges the 80 % targets', () => {
    const results: Results = new Map([
      [CEILING, result(CEILING, { ceilingScript: [10_000, 12_000, 11_000], ceilingLock: [8_000] })],
      ['Baton', result('Baton', { enqueueOne: [8_800], lockCycles: [4_000] })],
      ['bee-queue', result('bee-queue', { enqueueOne: [5_500] })],
    ]);
    const table = ceilingTable(results);
    expect(table).toContain('| (a) enqueue one by one | Baton | 8,800 jobs/s | one EVALSHA of `return 1` at a time: 11,000 | 80 % |');
    expect(table).toContain('| (a) enqueue one by one | bee-queue | 5,500 jobs/s | one EVALSHA of `return 1` at a time: 11,000 | 50 % |');
    expect(table).toContain('| uncontended acquire+release | Baton | 4,000 cycles/s | SET NX PX + DEL, one at a time: 8,000 | 50 % |');
    const targets = evaluateTargets(results);
    expect(targets.find((t) => t.target.startsWith('enqueue one by one ≥ 80 %'))?.met).toBe(true);
    expect(targets.find((t) => t.target.startsWith('uncontended lock cycle ≥ 80 %'))?.met).toBe(false);
    expect(ceilingTable(new Map([['Baton', result('Baton', { enqueueOne: [1] })]]))).toBe('');
  });

  it('alternates A and B, flipping the order every round, and reports the ratio of medians and the spread of per-round ratios', async () => {
    const sides = resolveAbSides('lock:baton,lock:redlock', undefined, PLAN, '/repo');
    expect(sides.map((s) => s.file)).toEqual(['baton-lock.ts', 'redlock-lock.ts']);
    const order: string[] = [];
    const rates: Record<string, number[]> = { 'lock:baton': [100, 120, 110], 'lock:redlock': [50, 100, 55] };
    const runs = await alternate(sides, 3, async (side: AbSide) => {
      order.push(side.label);
      return result(side.label, { lockCycles: [rates[side.label]!.shift()!] });
    });
    expect(order).toEqual(['lock:baton', 'lock:redlock', 'lock:redlock', 'lock:baton', 'lock:baton', 'lock:redlock']);
    // medians 110 / 55 = 2.00×; per round 2.00, 1.20, 2.00
    expect(abTable(sides, runs)).toContain('| uncontended acquire+release | cycles/s | 110 | 55.0 | 2.00× | 2.00× (1.20×–2.00×) | higher |');
  });

  it('takes one scenario against another checkout, and refuses what it cannot compare', () => {
    const [a, b] = resolveAbSides('lock:baton', '/other', PLAN, '/repo');
    expect([a.root, b.root, b.file]).toEqual(['/repo', '/other', 'baton-lock.ts']);
    expect(() => resolveAbSides('lock:nope,lock:baton', undefined, PLAN, '/repo')).toThrow(/no scenario lock:nope/);
    expect(() => resolveAbSides('lock:baton', undefined, PLAN, '/repo')).toThrow(/two scenarios/);
  });
});
