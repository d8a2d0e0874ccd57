import { expect, it } from 'vitest';
import { sweep, type Invariant, type Workload } from '@baton/simulator';

/** A payment provider: charges are final, and a charge whose key was seen before is not made again. */
class Provider {
  readonly charges: string[] = [];
  private readonly keys = new Set<string>();
  charge(order: string, key?: string): void {
    if (key !== undefined && this.keys.has(key)) return;
    if (key !== undefined) this.keys.add(key);
    this.charges.push(order);
  }
}

// Charges the card, then sends the receipt (which takes a while). A node that crashes in between
// never completes the task, so another node runs it again.
function checkout(idempotencyKey: boolean): Workload<Provider> {
  return {
    name: idempotencyKey ? 'checkout with an idempotency key' : 'checkout',
    init: () => new Provider(),
    node: (node, provider) =>
      node.handle<{ order: string }>('checkout', async (task, ctx) => {
        provider.charge(task.payload.order, idempotencyKey ? task.id : undefined);
        await node.sleep(800, ctx.signal); // the receipt
      }),
    step: async (ctx) => {
      if (ctx.rng.chance(0.5)) await ctx.enqueue('checkout', { order: `order-${ctx.step}` });
    },
  };
}

const chargedOnce: Invariant<Provider> = {
  name: 'each order charged once',
  check: ({ state }) => state.charges.find((order, i) => state.charges.indexOf(order) !== i)?.concat(' was charged twice'),
};

it('finds the double charge that a crash causes, and none once the charge carries an idempotency key', async () => {
  const config = { nodes: 3, steps: 100, faultKinds: ['crash'] as const };

  const buggy = await sweep(config, checkout(false), { seeds: 20, invariants: [chargedOnce] });
  expect(buggy.failure?.message).toContain('each order charged once: order-');
  expect(buggy.failure?.message).toMatch(/replay: BATON_SIM_SEED=\d+/); // the report says how to replay it
  expect(buggy.failure?.message).toContain('crash'); // and which faults led there

  const fixed = await sweep(config, checkout(true), { seeds: 20, invariants: [chargedOnce] });
  expect(fixed.failure?.message).toBeUndefined();
  expect(fixed.seeds).toBe(20);
}, 60_000);
