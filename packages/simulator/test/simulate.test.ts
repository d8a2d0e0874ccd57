import { afterEach, describe, expect, it } from 'vitest';
import { NondeterminismError, SEED_ENV, SimulationFailedError, simulate, standardWorkload, sweep, type Workload } from '@baton/simulator';

// A bounded sweep for every test run: the long one is `npm run simulate -- --seeds 10000`.
const SWEEP_SEEDS = 12;

describe('simulate', () => {
  afterEach(() => {
    delete process.env[SEED_ENV];
  });

  it(`keeps every built-in invariant over ${SWEEP_SEEDS} seeds of the standard workload, all fault kinds`, async () => {
    const result = await sweep({ steps: 60 }, standardWorkload(), { seeds: SWEEP_SEEDS });
    expect(result.failure?.message).toBeUndefined();
    expect(result.seeds).toBe(SWEEP_SEEDS);
    expect(result.taskRuns).toBeGreaterThan(SWEEP_SEEDS * 40);
  }, 60_000);

  it('replays a seed to the same trace, and says where a run that is not driven by its seed diverged', async () => {
    const run = await simulate({ seed: 5, steps: 30 }, standardWorkload());
    expect(run.trace.length).toBeGreaterThan(30);
    let calls = 0;
    // Work that depends on state kept between runs: the second run differs from the first.
    const leaky: Workload = { ...standardWorkload(), step: async (ctx) => void (calls++ % 40 === 3 && (await ctx.enqueue('jobs', {}))) };
    const error = await simulate({ seed: 5, steps: 30 }, leaky).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NondeterminismError);
    expect((error as Error).message).toMatch(/seed 5 ran twice gave different traces at line \d+/);
  }, 30_000);

  it('reports a broken user invariant with its seed, step and replay command, and BATON_SIM_SEED replays it', async () => {
    const invariant = {
      name: 'fewer-than-ten-tasks',
      check: (view: { history: { enqueued: Map<string, string> } }) => (view.history.enqueued.size >= 10 ? 'ten tasks were enqueued' : undefined),
    };
    const error = (await simulate({ seed: 11, steps: 80 }, standardWorkload(), { invariants: [invariant], replayCommand: 'npx vitest run sim' }).catch(
      (e: unknown) => e,
    )) as SimulationFailedError;
    expect(error).toBeInstanceOf(SimulationFailedError);
    const step = error.run.failure!.step;
    expect(error.message).toContain(`seed 11, step ${step}`);
    expect(error.message).toContain('fewer-than-ten-tasks: ten tasks were enqueued');
    expect(error.message).toContain('replay: BATON_SIM_SEED=11 npx vitest run sim');
    // Shrunk: the run stops at the failing step.
    expect(error.shrunk!.run.steps).toBeLessThanOrEqual(step + 1);
    expect(error.message).toMatch(/shrunk to \d+ of 80 steps/);

    process.env[SEED_ENV] = '11';
    const again = (await simulate({ seed: 999, steps: 80 }, standardWorkload(), { invariants: [invariant], shrink: false }).catch(
      (e: unknown) => e,
    )) as SimulationFailedError;
    expect(again.run.seed).toBe(11);
    expect(again.run.failure).toEqual(error.run.failure);
    expect(again.run.trace.digest()).toBe(error.run.trace.digest());
  }, 30_000);

  it('fails the liveness phase when the work cannot finish once the faults are healed', async () => {
    const stuck: Workload = {
      name: 'a handler that never returns',
      node: (node) => node.handle('stuck', () => new Promise(() => undefined)),
      step: async (ctx) => void (ctx.step === 0 && (await ctx.enqueue('stuck', {}))),
    };
    const error = (await simulate({ seed: 1, steps: 5, faults: 0, livenessMs: 30_000 }, stuck, { shrink: false }).catch(
      (e: unknown) => e,
    )) as SimulationFailedError;
    expect(error).toBeInstanceOf(SimulationFailedError);
    expect(error.run.failure).toMatchObject({ invariant: 'no-lost-task', phase: 'liveness' });
    expect(error.message).toContain('the work did not finish within 30000 ms');
  }, 30_000);
});
