import { METRICS, type MetricKey, type ScenarioResult } from './metrics.js';
import { fmt, summarize } from './stats.js';

/** Results by subject name (as the scenario processes reported them). */
export type Results = Map<string, ScenarioResult>;

/** Median of one metric of one subject; NaN when it was not measured. */
export function median(results: Results, subject: string, key: MetricKey): number {
  const values = results.get(subject)?.values[key];
  return values ? summarize(values).median : Number.NaN;
}

/** A markdown table: one row per metric, one column per subject, cells "median (min–max)". */
export function metricTable(results: Results, subjects: string[], keys: MetricKey[]): string {
  const present = subjects.filter((s) => results.has(s));
  if (present.length === 0) return '';
  const head = `| scenario | unit | ${present.join(' | ')} |\n|---|---|${present.map(() => '---:|').join('')}`;
  const rows = keys
    .filter((key) => present.some((s) => results.get(s)?.values[key]))
    .map((key) => {
      const cells = present.map((s) => {
        const values = results.get(s)?.values[key];
        if (!values) return '–';
        const { median: m, min, max } = summarize(values);
        return `${fmt(m)} (${fmt(min)}–${fmt(max)})`;
      });
      return `| ${METRICS[key].label} | ${METRICS[key].unit} | ${cells.join(' | ')} |`;
    });
  return [head, ...rows].join('\n');
}

/** The subject that measured the client's ceilings (bench/scenarios/ceiling.ts). */
export const CEILING = 'ioredis (ceiling)';

/** One-at-a-time figures, each beside the ceiling it cannot pass, and the peers that measured them. */
const CEILING_ROWS: Array<{ key: MetricKey; ceiling: MetricKey; subjects: string[] }> = [
  { key: 'enqueueOne', ceiling: 'ceilingScript', subjects: ['Baton', 'BullMQ', 'bee-queue'] },
  { key: 'process1', ceiling: 'ceilingScript', subjects: ['Baton', 'BullMQ', 'bee-queue'] },
  { key: 'lockCycles', ceiling: 'ceilingLock', subjects: ['Baton', 'redlock', 'redis-semaphore'] },
  { key: 'semCycles', ceiling: 'ceilingLock', subjects: ['Baton', 'redis-semaphore'] },
];

/**
 * Every one-at-a-time figure as a share of the client's own ceiling in the same run (medians): an
 * enqueue or a task at concurrency 1 against one EVALSHA of `return 1`, a lock or semaphore cycle
 * against SET NX PX + DEL.
 */
export function ceilingTable(results: Results): string {
  if (!results.has(CEILING)) return '';
  const rows: string[] = [];
  for (const row of CEILING_ROWS) {
    const ceiling = median(results, CEILING, row.ceiling);
    for (const subject of row.subjects) {
      const value = median(results, subject, row.key);
      if (!Number.isFinite(value)) continue;
      const share = `${((100 * value) / ceiling).toFixed(0)} %`;
      rows.push(
        `| ${METRICS[row.key].label} | ${subject} | ${fmt(value)} ${METRICS[row.key].unit} | ${METRICS[row.ceiling].label}: ${fmt(ceiling)} | ${share} |`,
      );
    }
  }
  return ['| one at a time | subject | figure | ceiling (same run) | share of ceiling |', '|---|---|---:|---|---:|', ...rows].join('\n');
}

/** One target of the issue, evaluated on the medians. */
export interface TargetResult {
  target: string;
  figure: string;
  met: boolean | undefined;
}

const ratio = (a: number, b: number): number => a / b;

/** Evaluates every target of the issue that the run measured. */
export function evaluateTargets(r: Results): TargetResult[] {
  const m = (s: string, k: MetricKey): number => median(r, s, k);
  const out: TargetResult[] = [];
  const add = (target: string, value: number, met: boolean, figure: string): void => {
    out.push({ target, figure, met: Number.isFinite(value) ? met : undefined });
  };
  const vs = (key: MetricKey, peer: string, factor: number, label: string): void => {
    const x = ratio(m('Baton', key), m(peer, key));
    add(`${label} ≥ ${factor}× ${peer}`, x, x >= factor, `${fmt(m('Baton', key))} vs ${fmt(m(peer, key))} ${METRICS[key].unit} = ${x.toFixed(2)}×`);
  };
  vs('enqueueOne', 'BullMQ', 2, 'enqueue one by one');
  vs('enqueueOne', 'bee-queue', 1, 'enqueue one by one');
  vs('enqueueBulk', 'BullMQ', 4, 'bulk enqueue');
  vs('enqueueBulk', 'bee-queue', 1.5, 'bulk enqueue');
  vs('process1', 'BullMQ', 2, 'process at concurrency 1');
  vs('process50', 'BullMQ', 3, 'process at concurrency 50');
  vs('process50', 'bee-queue', 1.5, 'process at concurrency 50');
  const p50 = m('Baton', 'latencyP50');
  const beeP50 = m('bee-queue', 'latencyP50');
  add('latency p50 ≤ bee-queue', p50 - beeP50, p50 <= beeP50, `${fmt(p50)} ms vs ${fmt(beeP50)} ms`);
  const p99 = m('Baton', 'latencyP99');
  add('latency p99 ≤ 1 ms', p99, p99 <= 1, `${fmt(p99)} ms`);
  const bestUncontended = Math.max(m('redlock', 'lockCycles'), m('redis-semaphore', 'lockCycles'));
  const unc = m('Baton', 'lockCycles');
  add(
    'uncontended lock ≥ faster of redlock and redis-semaphore',
    unc / bestUncontended,
    unc >= bestUncontended,
    `${fmt(unc)} vs ${fmt(bestUncontended)} cycles/s = ${(unc / bestUncontended).toFixed(2)}×`,
  );
  const violations = Math.max(...(r.get('Baton')?.values.violations ?? [Number.NaN]));
  add('contended lock: 0 violations', violations, violations === 0, `${fmt(violations)} in every repetition (max)`);
  const wp99 = m('Baton', 'waitP99');
  add('contended wait p99 ≤ 10 ms', wp99, wp99 <= 10, `${fmt(wp99)} ms`);
  const wmax = m('Baton', 'waitMax');
  add('contended wait max ≤ 50 ms', wmax, wmax <= 50, `${fmt(wmax)} ms`);
  const sw = m('Baton', 'switches');
  add('holder switches ≥ 90 %', sw, sw >= 90, `${fmt(sw)} %`);
  const bestContended = Math.max(m('redlock', 'contCycles'), m('redis-semaphore', 'contCycles'));
  const cont = m('Baton', 'contCycles');
  add(
    'contended cycles/s ≥ 0.75× the faster peer',
    cont / bestContended,
    cont >= 0.75 * bestContended,
    `${fmt(cont)} vs ${fmt(bestContended)} cycles/s = ${(cont / bestContended).toFixed(2)}×`,
  );
  const semUnc = m('Baton', 'semCycles');
  const semPeer = m('redis-semaphore', 'semCycles');
  add(
    "uncontended semaphore ≥ redis-semaphore's Semaphore",
    semUnc / semPeer,
    semUnc >= semPeer,
    `${fmt(semUnc)} vs ${fmt(semPeer)} cycles/s = ${(semUnc / semPeer).toFixed(2)}×`,
  );
  const semViolations = Math.max(...(r.get('Baton')?.values.semViolations ?? [Number.NaN]));
  add('contended semaphore: 0 violations', semViolations, semViolations === 0, `${fmt(semViolations)} in every repetition (max)`);
  const semP99 = m('Baton', 'semWaitP99');
  add('contended semaphore wait p99 ≤ 10 ms', semP99, semP99 <= 10, `${fmt(semP99)} ms`);
  const semMax = m('Baton', 'semWaitMax');
  add('contended semaphore wait max ≤ 50 ms', semMax, semMax <= 50, `${fmt(semMax)} ms`);
  const atMost = (key: MetricKey, bound: number, label: string): void => {
    const x = m('Baton', key);
    add(`${label} ≤ ${bound} ${METRICS[key].unit}`, x, x <= bound, `${fmt(x)} ${METRICS[key].unit}`);
  };
  atMost('manyConnections', 8, '1,000 idle queues: connections');
  atMost('manyCommands', 10, '1,000 idle queues: Redis commands');
  atMost('manyCpu', 1, '1,000 idle queues: client CPU');
  atMost('manyLatencyP99', 2, 'add → start p99, one queue among 1,000,');
  const ofCeiling = (key: MetricKey, ceilingKey: MetricKey, label: string): void => {
    const x = m('Baton', key) / m(CEILING, ceilingKey);
    add(
      `${label} ≥ 80 % of ${METRICS[ceilingKey].label}`,
      x,
      x >= 0.8,
      `${fmt(m('Baton', key))} vs ${fmt(m(CEILING, ceilingKey))} = ${(100 * x).toFixed(0)} %`,
    );
  };
  ofCeiling('enqueueOne', 'ceilingScript', 'enqueue one by one');
  ofCeiling('lockCycles', 'ceilingLock', 'uncontended lock cycle');
  vs('process1', 'bee-queue', 1, 'process at concurrency 1');
  const beeP99 = m('bee-queue', 'latencyP99');
  add('latency p99 ≤ bee-queue', p99 - beeP99, p99 <= beeP99, `${fmt(p99)} ms vs ${fmt(beeP99)} ms`);
  const mem = m('Baton', 'memoryPipeline');
  add('memory backend ≥ 250,000 tasks/s', mem, mem >= 250_000, `${fmt(mem)} tasks/s`);
  return out;
}

/** The targets as a markdown table. */
export function targetTable(targets: TargetResult[]): string {
  const rows = targets.map((t) => `| ${t.target} | ${t.figure} | ${t.met === undefined ? 'not measured' : t.met ? '**met**' : '**missed**'} |`);
  return ['| target | figure (medians) | |', '|---|---|---|', ...rows].join('\n');
}
