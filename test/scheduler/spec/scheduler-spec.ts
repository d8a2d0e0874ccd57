import { afterEach, beforeEach, describe } from 'vitest';
import type { ConformanceCapabilities } from '@baton/core/testing';
import { Nodes, type MakeSchedulerEnv, type SchedulerEnv } from '../scheduler-env.js';
import { cancelSpec } from './cancel-spec.js';
import { electionSpec } from './election-spec.js';
import { lifecycleSpec } from './lifecycle-spec.js';
import { periodicSpec } from './periodic-spec.js';
import { resultsSpec } from './results-spec.js';
import { stopSpec } from './stop-spec.js';
import { taskSpec } from './task-spec.js';

/** `describe`, or `describe.skip` naming the first capability of `needs` the backend lacks. */
function describeNeeding(caps: Partial<ConformanceCapabilities>, needs: Array<keyof ConformanceCapabilities>, name: string, fn: () => void): void {
  const missing = needs.find((capability) => caps[capability] === false);
  if (missing === undefined) describe(name, fn);
  else describe.skip(`${name} (skipped: backend declares no ${missing})`, fn);
}

/**
 * The two halves of the behaviour: `work` (tasks, results, cancellation, nodes and shutdown, stop)
 * and `time` (periodic jobs, leader election). A real-time run is one test file per half, so
 * that the halves wait side by side.
 */
export type SchedulerSpecPart = 'all' | 'work' | 'time';

/**
 * The Scheduler's behaviour, written once against a SchedulerEnv: the memory run drives a
 * ManualClock, the Redis run uses real time with short TTLs. `capabilities` are the backend's
 * gaps, as in the conformance suite (absent: supported); `part` picks a half (default: both).
 */
export function describeSchedulerBehaviour(
  name: string,
  makeEnv: MakeSchedulerEnv,
  options: { skip?: boolean; capabilities?: Partial<ConformanceCapabilities>; part?: SchedulerSpecPart } = {},
): void {
  const caps = options.capabilities ?? {};
  const part = options.part ?? 'all';
  const label = part === 'all' ? '' : ` (${part})`;
  (options.skip ? describe.skip : describe)(`Scheduler on ${name}${label}`, () => {
    let current: { env: SchedulerEnv; nodes: Nodes } | undefined;
    beforeEach(async () => {
      const env = await makeEnv();
      current = { env, nodes: new Nodes(env) };
    });
    afterEach(async () => {
      await current?.nodes.closeAll();
      current = undefined;
    });
    const ctx = (): { env: SchedulerEnv; nodes: Nodes } => {
      if (!current) throw new Error('no env: called outside a test');
      return current;
    };
    if (part !== 'time') {
      describe('tasks', () => taskSpec(ctx));
      describeNeeding(caps, ['results', 'events', 'progress'], 'results and progress', () => resultsSpec(ctx));
      describeNeeding(caps, ['cancel', 'results', 'events'], 'cancellation', () => cancelSpec(ctx));
      describe('nodes and shutdown', () => lifecycleSpec(ctx));
      describe('stop cuts waits short', () => stopSpec(ctx));
    }
    if (part !== 'work') {
      describe('periodic jobs', () => periodicSpec(ctx));
      describe('leader election', () => electionSpec(ctx));
    }
  });
}
