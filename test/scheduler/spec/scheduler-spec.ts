import { afterEach, beforeEach, describe } from 'vitest';
import { Nodes, type MakeSchedulerEnv, type SchedulerEnv } from '../scheduler-env.js';
import { electionSpec } from './election-spec.js';
import { lifecycleSpec } from './lifecycle-spec.js';
import { periodicSpec } from './periodic-spec.js';
import { stopSpec } from './stop-spec.js';
import { taskSpec } from './task-spec.js';

/**
 * The Scheduler's behaviour, written once against a SchedulerEnv: the memory run drives a
 * ManualClock, the Redis run uses real time with short TTLs.
 */
export function describeSchedulerBehaviour(name: string, makeEnv: MakeSchedulerEnv, options: { skip?: boolean } = {}): void {
  (options.skip ? describe.skip : describe)(`Scheduler on ${name}`, () => {
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
    describe('tasks', () => taskSpec(ctx));
    describe('nodes and shutdown', () => lifecycleSpec(ctx));
    describe('stop cuts waits short', () => stopSpec(ctx));
    describe('periodic jobs', () => periodicSpec(ctx));
    describe('leader election', () => electionSpec(ctx));
  });
}
