import type { Invariant } from './invariants.js';
import { runSimulation, type SimulationConfig, type SimulationRun } from './simulation.js';
import type { Workload } from './workload.js';

/** A smaller run that fails the same invariant, and how it was found. */
export interface Shrunk {
  readonly config: SimulationConfig;
  readonly run: SimulationRun;
  /** Runs tried while shrinking. */
  readonly tries: number;
}

/**
 * Looks for a smaller run of the same seed that breaks the same invariant: first fewer steps (up
 * to the failing step, then halves), then fewer faults (each dropped in turn while the run still
 * fails). The plan and the work are drawn as for the original, so each candidate is the original
 * run with parts cut out. At most `maxTries` runs. @default maxTries 40
 */
export async function shrink<S>(
  config: SimulationConfig,
  failed: SimulationRun,
  workload: Workload<S>,
  invariants: readonly Invariant<S>[],
  maxTries = 40,
): Promise<Shrunk> {
  const target = failed.failure?.invariant;
  let best: Shrunk = { config: { ...config, keepFaults: failed.faults.map((f) => f.index) }, run: failed, tries: 0 };
  if (target === undefined) return best;
  let tries = 0;
  const attempt = async (candidate: SimulationConfig): Promise<boolean> => {
    if (tries >= maxTries) return false;
    tries++;
    const run = await runSimulation(candidate, workload, invariants);
    if (run.failure?.invariant !== target) return false;
    best = { config: { ...candidate, keepFaults: run.faults.map((f) => f.index) }, run, tries };
    return true;
  };
  if (failed.failure!.phase === 'safety' && failed.failure!.step + 1 < failed.steps) await attempt({ ...best.config, stopAfter: failed.failure!.step + 1 });
  for (let steps = Math.floor(best.run.steps / 2); steps >= 1; steps = Math.floor(steps / 2)) {
    if (!(await attempt({ ...best.config, stopAfter: steps }))) break;
  }
  // Drop faults one at a time, again while a pass removes any (fewer faults can make others moot).
  for (let before = Infinity; best.run.faults.length < before && tries < maxTries;) {
    before = best.run.faults.length;
    for (const fault of [...best.run.faults].reverse()) {
      const keep = (best.config.keepFaults ?? []).filter((i) => i !== fault.index);
      await attempt({ ...best.config, keepFaults: keep });
    }
  }
  // With fewer faults the failure may come sooner.
  const last = best.run.failure!;
  if (last.phase === 'safety' && last.step + 1 < best.run.steps) await attempt({ ...best.config, stopAfter: last.step + 1 });
  return { ...best, tries };
}
