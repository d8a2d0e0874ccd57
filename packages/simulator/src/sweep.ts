import { performance } from 'node:perf_hooks';
import { fail, checkDeterminism, invariantsOf, SimulationFailedError, type SimulateOptions } from './simulate.js';
import { applySpec, specFromEnv } from './replay.js';
import { runSimulation, type SimulationConfig, type SimulationRun } from './simulation.js';
import type { Workload } from './workload.js';

/** Options of `sweep`, besides those of `simulate`. */
export interface SweepOptions<S = unknown> extends SimulateOptions<S> {
  /** How many seeds. */
  seeds: number;
  /** The first seed; seeds run from it upwards. @default 1 */
  from?: number;
  /** Stop starting new seeds after this much real time (ms): a CI budget. @default no limit */
  budgetMs?: number;
  /** Called after each seed. */
  onSeed?: (run: SimulationRun) => void;
}

/** What a sweep did. */
export interface SweepResult {
  /** Seeds run (fewer than asked when the budget ran out or a seed failed). */
  readonly seeds: number;
  readonly taskRuns: number;
  /** CPU time the sweep used (ms, user + system). */
  readonly cpuMs: number;
  /** Task-runs per second of CPU. */
  readonly taskRunsPerCpuSecond: number;
  /** The first failure, shrunk and reported, if any seed failed. */
  readonly failure: SimulationFailedError | undefined;
}

/**
 * Runs seeds `from`, `from + 1`, … of `config` (its `seed` is ignored) until `seeds` ran, the
 * budget is spent or one fails; the first seed also runs twice as a determinism check. A failure
 * is shrunk and returned as a SimulationFailedError (not thrown), so a caller can assert on it.
 * With BATON_SIM_SEED set, runs only that seed. Throws NondeterminismError from the check.
 */
export async function sweep<S>(config: Omit<SimulationConfig, 'seed'>, workload: Workload<S>, options: SweepOptions<S>): Promise<SweepResult> {
  const invariants = invariantsOf(options);
  const spec = specFromEnv();
  const seeds = spec === undefined ? options.seeds : 1;
  const from = spec?.seed ?? options.from ?? 1;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let taskRuns = 0;
  let ran = 0;
  let failure: SimulationFailedError | undefined;
  for (let i = 0; i < seeds; i++) {
    if (options.budgetMs !== undefined && i > 0 && performance.now() - started > options.budgetMs) break;
    const seeded = spec === undefined ? { ...config, seed: from + i } : applySpec<SimulationConfig>(config, spec);
    const run =
      i === 0 && options.checkDeterminism !== false ? await checkDeterminism(seeded, workload, invariants) : await runSimulation(seeded, workload, invariants);
    ran++;
    taskRuns += run.taskRuns;
    options.onSeed?.(run);
    if (run.failure !== undefined) {
      failure = await fail(seeded, run, workload, options).catch((error: unknown) => {
        if (error instanceof SimulationFailedError) return error;
        throw error;
      });
      break;
    }
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1_000;
  return { seeds: ran, taskRuns, cpuMs, taskRunsPerCpuSecond: cpuMs > 0 ? (taskRuns * 1_000) / cpuMs : 0, failure };
}
