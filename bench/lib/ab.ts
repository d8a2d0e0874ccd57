import { METRICS, type MetricKey, type ScenarioResult } from './metrics.js';
import { fmt, summarize } from './stats.js';

/** One side of an A/B comparison: a scenario process of the plan, from this checkout or another. */
export interface AbSide {
  /** `group:subject` as given, with ` (other checkout)` for a side run from `--against`. */
  label: string;
  file: string;
  args: string[];
  /** Root of the checkout whose bench/scenarios/<file> runs. */
  root: string;
}

/** A plan entry, as bench/run.ts lists them. */
export interface PlanStep {
  group: string;
  subject: string;
  file: string;
  args: string[];
}

/**
 * Reads `--ab group:subject[,group:subject]`: two steps of the plan, or one step run from this
 * checkout and from `against` (another checkout of Baton with its own node_modules, e.g. a
 * `git worktree` of the commit before a change).
 */
export function resolveAbSides(spec: string, against: string | undefined, plan: readonly PlanStep[], root: string): [AbSide, AbSide] {
  const names = spec.split(',').filter(Boolean);
  const find = (name: string): PlanStep => {
    const [group, subject] = name.split(':');
    const step = plan.find((p) => p.group === group && p.subject === subject);
    if (!step) throw new Error(`--ab: no scenario ${name}; use group:subject, one of ${plan.map((p) => `${p.group}:${p.subject}`).join(', ')}`);
    return step;
  };
  if (names.length === 2 && against === undefined) {
    const [a, b] = names.map(find) as [PlanStep, PlanStep];
    return [
      { label: names[0]!, file: a.file, args: a.args, root },
      { label: names[1]!, file: b.file, args: b.args, root },
    ];
  }
  if (names.length === 1 && against !== undefined) {
    const step = find(names[0]!);
    return [
      { label: names[0]!, file: step.file, args: step.args, root },
      { label: `${names[0]!} (${against})`, file: step.file, args: step.args, root: against },
    ];
  }
  throw new Error('--ab takes two scenarios (--ab queue:baton,queue:bee-queue), or one with --against <checkout>');
}

/**
 * Runs A and B alternately, `rounds` times each, one timed repetition per run, in the order
 * A B, B A, A B, … so that a machine that drifts during the run weighs on both sides alike.
 * Resolves the results of every run, by side.
 */
export async function alternate(
  sides: [AbSide, AbSide],
  rounds: number,
  run: (side: AbSide) => Promise<ScenarioResult>,
): Promise<[ScenarioResult[], ScenarioResult[]]> {
  const out: [ScenarioResult[], ScenarioResult[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      console.log(`▶ round ${round + 1}/${rounds}: ${sides[i]!.label}`);
      out[i]!.push(await run(sides[i]!));
    }
  }
  return out;
}

/**
 * The A/B table: each metric both sides measured, the median of each side, the ratio of the
 * medians, and the spread of the per-round ratios (round i's A over round i's B): when that range
 * holds 1.0, the run cannot tell the two apart.
 */
export function abTable(sides: [AbSide, AbSide], runs: [ScenarioResult[], ScenarioResult[]]): string {
  const values = (side: ScenarioResult[], key: MetricKey): number[] => side.flatMap((r) => r.values[key] ?? []);
  const keys = (Object.keys(METRICS) as MetricKey[]).filter((k) => values(runs[0], k).length > 0 && values(runs[1], k).length > 0);
  const rows = keys.map((key) => {
    const a = values(runs[0], key);
    const b = values(runs[1], key);
    const ratios = a.slice(0, b.length).map((v, i) => v / b[i]!);
    const r = summarize(ratios);
    const medianRatio = summarize(a).median / summarize(b).median;
    const def = METRICS[key];
    const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
    return `| ${def.label} | ${def.unit} | ${fmt(summarize(a).median)} | ${fmt(summarize(b).median)} | ${x(medianRatio)} | ${Number.isFinite(r.median) ? `${x(r.median)} (${x(r.min)}–${x(r.max)})` : '–'} | ${def.better} |`;
  });
  return [
    `| metric | unit | A: ${sides[0].label} | B: ${sides[1].label} | A/B of medians | A/B per round: median (min–max) | better |`,
    '|---|---|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
