import type { History } from './history.js';

/** Thrown by FencedResource.write for a fence older than one it already accepted. */
export class StaleFenceError extends Error {
  /** Always 'STALE_FENCE'. */
  readonly code = 'STALE_FENCE';
  constructor(resource: string, fence: number, highest: number) {
    super(`${resource}: fence ${fence} is older than ${highest}; a newer lock holder has written since`);
    this.name = 'StaleFenceError';
  }
}

/**
 * A storage the workload's lock holders write to, which refuses writes with a fence older than
 * the newest it has seen (as a database with a fencing column would). It is how the simulator
 * sees lock holders: two holders writing with the same fence means the lock had two holders at
 * once (flagged as `one-lock-holder`).
 */
export class FencedResource {
  private highest = 0;
  private holder: string | undefined;
  /** Accepted writes, in order: `holder@fence`. */
  readonly writes: string[] = [];

  constructor(
    readonly name: string,
    private readonly history: History,
  ) {}

  /** Accepts a write by `holder` under `fence`; throws StaleFenceError for an older fence. */
  write(fence: number, holder: string): void {
    if (fence < this.highest) throw new StaleFenceError(this.name, fence, this.highest);
    if (fence === this.highest && this.holder !== undefined && this.holder !== holder) {
      this.history.flag('one-lock-holder', `${this.name} saw ${this.holder} and ${holder} both write with fence ${fence}`);
    }
    this.highest = fence;
    this.holder = holder;
    this.writes.push(`${holder}@${fence}`);
  }
}
