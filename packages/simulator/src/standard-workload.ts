import type { Workload } from './workload.js';

/** Options of `standardWorkload`. */
export interface StandardWorkloadOptions {
  /** Longest a job handler works (ms of node time). @default 2_000 */
  maxJobMs?: number;
  /** Chance per step of a task that writes under a lock. @default 0.3 */
  lockedShare?: number;
  /** Share of jobs that run long (5–15 s), so their leases are extended and outlive a pause. @default 0.25 */
  longShare?: number;
}

/**
 * A workload that exercises what the built-in invariants watch: a `jobs` queue whose handler
 * works for a while (some jobs for many lease lengths), a `ledger` queue whose handler holds lock `account` and writes to the fenced
 * resource `account` twice with a pause between, and an election `leader` on every node. Each
 * step enqueues 0–2 jobs and sometimes a ledger task.
 */
export function standardWorkload(options: StandardWorkloadOptions = {}): Workload {
  const maxJobMs = options.maxJobMs ?? 2_000;
  const lockedShare = options.lockedShare ?? 0.3;
  const longShare = options.longShare ?? 0.25;
  return {
    name: 'the standard workload',
    node(node) {
      node.handle('jobs', async (_task, ctx) => node.sleep(node.rng.chance(longShare) ? node.rng.int(5_000, 15_000) : node.rng.int(0, maxJobMs), ctx.signal), {
        concurrency: 2,
      });
      node.handle('ledger', async (_task, ctx) =>
        node.withLock('account', async (lock) => {
          const account = node.resource('account');
          account.write(lock.fence, lock.holder);
          await node.sleep(node.rng.int(0, maxJobMs / 2), AbortSignal.any([ctx.signal, lock.signal]));
          account.write(lock.fence, lock.holder);
        }),
      );
      node.elect('leader');
    },
    async step(ctx) {
      for (let i = ctx.rng.int(0, 2); i > 0; i--) await ctx.enqueue('jobs', { n: ctx.step });
      if (ctx.rng.chance(lockedShare)) await ctx.enqueue('ledger', { n: ctx.step });
    },
  };
}
