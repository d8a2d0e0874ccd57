import { isBatonError, type LockHandle, type LockManager } from '@baton/core';

/**
 * Lock contenders that take turns on one resource until stopped, and count what matters under
 * faults: acquisitions, overlaps (two holders whose signals both say "held" at once), fences that
 * did not grow, and errors by code.
 */
export class LockTraffic {
  readonly fences: number[] = [];
  readonly acquiredAt: number[] = [];
  readonly errors: Record<string, number> = {};
  overlaps = 0;
  private readonly holders = new Set<LockHandle>();
  private running = true;
  private readonly loops: Promise<void>[] = [];

  /** Starts one loop per manager: withLock(resource, short critical section). */
  constructor(managers: LockManager[], resource: string, options: { ttlMs: number; waitMs: number; holdMs: number }) {
    for (const locks of managers) this.loops.push(this.loop(locks, resource, options));
  }

  /** Fences that were not larger than the one acquired before them. */
  get fenceRegressions(): number {
    let n = 0;
    for (let i = 1; i < this.fences.length; i++) if (this.fences[i]! <= this.fences[i - 1]!) n++;
    return n;
  }

  /** Acquisitions since `t` (Date.now() ms). */
  acquisitionsSince(t: number): number {
    return this.acquiredAt.filter((at) => at >= t).length;
  }

  /** Stops the loops and waits for them. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(locks: LockManager, resource: string, options: { ttlMs: number; waitMs: number; holdMs: number }): Promise<void> {
    while (this.running) {
      try {
        await locks.withLock(
          resource,
          async (lock) => {
            for (const other of this.holders) if (!other.signal.aborted && !lock.signal.aborted) this.overlaps++;
            this.fences.push(lock.fence);
            this.acquiredAt.push(Date.now());
            this.holders.add(lock);
            try {
              await new Promise((resolve) => setTimeout(resolve, options.holdMs));
            } finally {
              this.holders.delete(lock);
            }
          },
          { ttlMs: options.ttlMs, waitMs: options.waitMs },
        );
      } catch (error) {
        const code = isBatonError(error) ? error.code : String(error).slice(0, 60);
        this.errors[code] = (this.errors[code] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}
