import { describeFault } from './fault-plan.js';
import { BUILT_IN_INVARIANTS, type Invariant } from './invariants.js';
import { SEED_ENV, applySpec, formatSpec, specFromEnv } from './replay.js';
import { shrink, type Shrunk } from './shrink.js';
import { runSimulation, type SimulationConfig, type SimulationRun } from './simulation.js';
import type { Workload } from './workload.js';

/** Options of `simulate` and `sweep`. */
export interface SimulateOptions<S = unknown> {
  /** Invariants of the workload, checked besides the built-in ones. @default [] */
  invariants?: readonly Invariant<S>[];
  /** Check the built-in invariants (no lost task, …; see BUILT_IN_INVARIANTS). @default true */
  builtIns?: boolean;
  /** Shrink a failing run to fewer steps and faults before reporting it. @default true */
  shrink?: boolean;
  /** Run the seed a second time and compare the traces (see checkDeterminism). @default true */
  checkDeterminism?: boolean;
  /** The command a report tells the reader to run with BATON_SIM_SEED set. @default 'npx vitest run' */
  replayCommand?: string;
  /** Trace lines a report ends with. @default 40 */
  traceLines?: number;
}

/** Thrown when a run broke an invariant; its message is the full report (seed, step, replay command, trace). */
export class SimulationFailedError extends Error {
  /** Always 'SIMULATION_FAILED'. */
  readonly code = 'SIMULATION_FAILED';
  constructor(
    message: string,
    /** The failing run. */
    readonly run: SimulationRun,
    /** The smallest failing run found, when shrinking ran. */
    readonly shrunk: Shrunk | undefined,
  ) {
    super(message);
    this.name = 'SimulationFailedError';
  }
}

/** Thrown when one seed ran twice gives two different traces: something in the run is not driven by the seed. */
export class NondeterminismError extends Error {
  /** Always 'SIMULATION_NONDETERMINISTIC'. */
  readonly code = 'SIMULATION_NONDETERMINISTIC';
  constructor(message: string) {
    super(message);
    this.name = 'NondeterminismError';
  }
}

/** The invariants a run checks under `options`. */
export function invariantsOf<S>(options: SimulateOptions<S>): Invariant<S>[] {
  return [...(options.builtIns === false ? [] : (BUILT_IN_INVARIANTS as Invariant<S>[])), ...(options.invariants ?? [])];
}

/**
 * Runs `config.seed` twice and compares the traces line by line; throws NondeterminismError
 * naming the first line that differs. Resolves the first run.
 */
export async function checkDeterminism<S>(config: SimulationConfig, workload: Workload<S>, invariants: readonly Invariant<S>[]): Promise<SimulationRun> {
  const first = await runSimulation(config, workload, invariants);
  const second = await runSimulation(config, workload, invariants);
  const diff = first.trace.firstDifference(second.trace);
  if (diff !== undefined) {
    throw new NondeterminismError(
      `seed ${config.seed} ran twice gave different traces at line ${diff.line}:\n  first:  ${diff.ours ?? '(end)'}\n  second: ${diff.theirs ?? '(end)'}\n` +
        'Something in the run is not driven by the seed (Math.random, real timers, Date.now, state kept between runs).',
    );
  }
  return first;
}

/**
 * Runs N virtual nodes (real Schedulers with `workload`'s handlers) on one memory store under a
 * ManualClock, with faults drawn from `config.seed`: a safety phase under faults, then a
 * liveness phase that heals them and requires the work to finish. Checks the built-in invariants
 * and `options.invariants`. BATON_SIM_SEED, when set, replaces the seed (and, for a shrunk run,
 * the steps and faults) so a reported failure replays exactly. Resolves the run when every
 * invariant held; throws SimulationFailedError with the report otherwise (after shrinking), and
 * NondeterminismError when the seed did not replay the same way.
 */
export async function simulate<S>(config: SimulationConfig, workload: Workload<S>, options: SimulateOptions<S> = {}): Promise<SimulationRun> {
  const spec = specFromEnv();
  const effective = spec === undefined ? config : applySpec<SimulationConfig>(config, spec);
  const invariants = invariantsOf(options);
  const run =
    options.checkDeterminism === false ? await runSimulation(effective, workload, invariants) : await checkDeterminism(effective, workload, invariants);
  if (run.failure !== undefined) await fail(effective, run, workload, options);
  return run;
}

/** Shrinks a failed run (unless options.shrink is false) and throws its report. */
export async function fail<S>(config: SimulationConfig, run: SimulationRun, workload: Workload<S>, options: SimulateOptions<S>): Promise<never> {
  const shrunk = options.shrink === false ? undefined : await shrink(config, run, workload, invariantsOf(options));
  throw new SimulationFailedError(report(config, run, shrunk, workload, options), run, shrunk);
}

/** The failure report: seed, step, the broken invariant, the replay commands, the faults and the end of the trace. */
export function report<S>(
  config: SimulationConfig,
  run: SimulationRun,
  shrunk: Shrunk | undefined,
  workload: Workload<S>,
  options: SimulateOptions<S>,
): string {
  const f = run.failure!;
  const command = options.replayCommand ?? 'npx vitest run';
  const ids = Array.from({ length: config.nodes ?? 3 }, (_, i) => `node-${i + 1}`);
  const where = f.phase === 'safety' ? `step ${f.step}` : `the liveness phase (after step ${f.step})`;
  const lines = [
    `Simulation of ${workload.name ?? 'workload'} failed: seed ${run.seed}, ${where}`,
    `  ${f.invariant}: ${f.message}`,
    `  replay: ${SEED_ENV}=${formatSpec({ seed: run.seed, stopAfter: config.stopAfter, keepFaults: config.keepFaults ? [...config.keepFaults] : undefined })} ${command}`,
  ];
  const best = shrunk?.run ?? run;
  if (shrunk !== undefined && (best.steps < run.steps || best.faults.length < run.faults.length)) {
    const spec = formatSpec({ seed: run.seed, stopAfter: best.steps, keepFaults: best.faults.map((x) => x.index) });
    lines.push(
      `  shrunk to ${best.steps} of ${run.steps} steps and ${best.faults.length} of ${run.faults.length} faults (${shrunk.tries} runs): ${SEED_ENV}=${spec} ${command}`,
    );
    lines.push(`  the shrunk run: ${best.failure!.message}`);
  }
  lines.push(`  faults${best === run ? '' : ' of the shrunk run'}:`, ...best.faults.map((x) => `    step ${x.step}: ${describeFault(x, ids)}`));
  lines.push(`  last ${options.traceLines ?? 40} lines of its trace:`, best.trace.tail(options.traceLines ?? 40).replace(/^/gm, '    '));
  return lines.join('\n');
}
