import { describe, expect, it } from 'vitest';
import { ManualClock, isBatonError } from '@baton/core';
import { CallGate, NodeClock, Prng } from '@baton/simulator';

function gate(): { gate: CallGate; nodeClock: NodeClock; notes: string[] } {
  const nodeClock = new NodeClock(new ManualClock());
  const notes: string[] = [];
  return { gate: new CallGate('node-1', nodeClock, (line) => notes.push(line)), nodeClock, notes };
}

describe('CallGate', () => {
  it('fails every call of a partitioned node without reaching the store', async () => {
    const { gate: g } = gate();
    g.partitioned = true;
    let reached = false;
    const error = await g.call('queue.complete', async () => (reached = true)).catch((e: unknown) => e);
    expect(isBatonError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect(reached).toBe(false);
  });

  it('loses some requests before the store and some replies after it applied the call', async () => {
    const { gate: g, notes } = gate();
    g.failing = { rate: 1, rng: new Prng(1), delayMs: 0 };
    let applied = 0;
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const before = applied;
      await g.call('queue.complete', async () => applied++).catch(() => undefined);
      outcomes.push(applied > before ? 'applied' : 'not applied');
    }
    expect(new Set(outcomes)).toEqual(new Set(['applied', 'not applied']));
    expect(notes.filter((n) => n.includes('reply lost'))).toHaveLength(applied);
  });

  it('holds a paused node call until it resumes', async () => {
    const { gate: g, nodeClock } = gate();
    nodeClock.pause();
    let done = false;
    const call = g.call('queue.add', async () => 1).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    await nodeClock.resume();
    await call;
    expect(done).toBe(true);
  });
});
