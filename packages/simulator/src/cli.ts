// `npm run simulate -- --seeds 10000`: a long sweep of the standard workload from the command line.
// Prints the figures (seeds, task-runs, task-runs per CPU second) and, on a failure, its report
// with the replay command; exits 1 then. `--seed <spec>` replays one run (as BATON_SIM_SEED does).
import { parseArgs } from 'node:util';
import { seededBugs } from '@baton/memory-adapter/testing';
import { FAULT_KINDS, type FaultKind } from './fault-plan.js';
import { SEED_ENV } from './replay.js';
import { standardWorkload } from './standard-workload.js';
import { sweep } from './sweep.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    from: { type: 'string', default: '1' },
    nodes: { type: 'string', default: '3' },
    steps: { type: 'string', default: '100' },
    faults: { type: 'string' },
    kinds: { type: 'string' },
    seed: { type: 'string' },
    'budget-ms': { type: 'string' },
    'seeded-bug': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run simulate -- [--seeds N] [--from S] [--nodes N] [--steps N] [--faults N]
       [--kinds ${FAULT_KINDS.join(',')}] [--budget-ms MS] [--seed SPEC] [--seeded-bug complete-without-token]
Runs the standard workload over seeds S, S+1, …; stops at the first failure and prints its report.`);
  process.exit(0);
}

const int = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be an integer >= 0, got "${text}"`);
    process.exit(2);
  }
  return n;
};
const kinds = values.kinds?.split(',') as FaultKind[] | undefined;
const unknown = kinds?.filter((k) => !FAULT_KINDS.includes(k));
if (unknown !== undefined && unknown.length > 0) {
  console.error(`unknown fault kind(s): ${unknown.join(', ')}`);
  process.exit(2);
}
if (values.seed !== undefined) process.env[SEED_ENV] = values.seed;
if (values['seeded-bug'] !== undefined) {
  if (values['seeded-bug'] !== 'complete-without-token') {
    console.error('--seeded-bug: the only seeded bug is complete-without-token');
    process.exit(2);
  }
  seededBugs.completeWithoutTokenCheck = true;
}

const seeds = int('seeds', values.seeds)!;
const started = Date.now();
let done = 0;
const result = await sweep(
  { nodes: int('nodes', values.nodes), steps: int('steps', values.steps), faults: int('faults', values.faults), faultKinds: kinds },
  standardWorkload(),
  {
    seeds,
    from: int('from', values.from),
    budgetMs: int('budget-ms', values['budget-ms']),
    replayCommand: `npm run simulate${values['seeded-bug'] ? ` -- --seeded-bug ${values['seeded-bug']}` : ''}`,
    onSeed: () => {
      if (++done % 500 === 0) console.log(`${done} seeds, ${Math.round((Date.now() - started) / 1_000)} s`);
    },
  },
);
console.log(
  `${result.seeds} seed(s), ${result.taskRuns} task-runs in ${(result.cpuMs / 1_000).toFixed(1)} s of CPU: ` +
    `${Math.round(result.taskRunsPerCpuSecond)} task-runs per CPU second; ${result.failure ? '1 failure' : 'no failure'}`,
);
if (result.failure) {
  console.log(result.failure.message);
  process.exitCode = 1;
}
