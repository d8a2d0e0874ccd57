import { afterEach, describe, expect, it } from 'vitest';
import { seededBugs } from '@baton/memory-adapter/testing';
import { runSimulation, standardWorkload, sweep, BUILT_IN_INVARIANTS, parseSpec } from '@baton/simulator';

// Proof that the simulator can fail: a known bug, switched on only here, is found by a short sweep.
describe('the simulator finds a seeded bug', () => {
  afterEach(() => {
    seededBugs.completeWithoutTokenCheck = false;
  });

  it('completing without the lease-token check is found within 10 seeds, with a replay command that reproduces it', async () => {
    seededBugs.completeWithoutTokenCheck = true;
    const result = await sweep({}, standardWorkload(), { seeds: 10, replayCommand: 'npx vitest run seeded-bug' });
    const failure = result.failure!;
    expect(failure).toBeDefined();
    expect(failure.run.failure!.invariant).toBe('no-unexplained-rerun');
    expect(failure.message).toMatch(/the store accepted a stale lease/);
    const replay = /replay: BATON_SIM_SEED=(\S+) npx vitest run seeded-bug/.exec(failure.message);
    expect(replay).not.toBeNull();
    const shrunk = /shrunk to .*: BATON_SIM_SEED=(\S+) /.exec(failure.message);
    expect(shrunk).not.toBeNull();

    // The shrunk spec replays to the same failure; without the bug the same run passes.
    const spec = parseSpec(shrunk![1]!);
    const config = { seed: spec.seed, stopAfter: spec.stopAfter, keepFaults: spec.keepFaults };
    const again = await runSimulation(config, standardWorkload(), BUILT_IN_INVARIANTS);
    expect(again.failure).toEqual(failure.shrunk!.run.failure);
    seededBugs.completeWithoutTokenCheck = false;
    const fixed = await runSimulation(config, standardWorkload(), BUILT_IN_INVARIANTS);
    expect(fixed.failure).toBeUndefined();
  }, 60_000);
});
