import type { Clock, ManualClock } from '@baton/core';

/**
 * One virtual node's view of the cluster's ManualClock: the same time, but its own timers. While
 * the node is paused, its timers that fall due are held and fire together when it resumes (as a
 * stopped process sees them); once the node is dead they never fire, so its handlers' code stops
 * where it was, as a killed process's would.
 */
export class NodeClock implements Clock {
  private paused = false;
  private dead = false;
  private held: Array<() => void> = [];
  private resumers: Array<() => void> = [];

  constructor(private readonly shared: ManualClock) {}

  /** The cluster's time (ms). */
  now(): number {
    return this.shared.now();
  }

  /** See Clock.sleep; frozen while paused, never resolves once the node is dead. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.dead) return new Promise(() => undefined);
    return new Promise((resolve, reject) => {
      this.shared.sleep(ms, signal).then(() => this.deliver(resolve), reject);
    });
  }

  /** True while paused. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Resolves at once when running, on resume when paused, never when dead. */
  whenRunning(): Promise<void> {
    if (this.dead) return new Promise(() => undefined);
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => this.resumers.push(resolve));
  }

  /** Freezes the node: timers that fall due are held until `resume`. */
  pause(): void {
    if (!this.dead) this.paused = true;
  }

  /**
   * Fires the held timers in the order they fell due, each one's continuations settling before
   * the next fires (as a process's timers run on resume), then lets held calls go on.
   */
  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    const held = this.held;
    const resumers = this.resumers;
    this.held = [];
    this.resumers = [];
    for (const fire of held) {
      if (this.dead) return;
      fire();
      await settle();
    }
    for (const go of resumers) go();
    await settle();
  }

  /** The node died: nothing it waits for ever fires again. */
  kill(): void {
    this.dead = true;
    this.paused = false;
    this.held = [];
    this.resumers = [];
  }

  private deliver(fire: () => void): void {
    if (this.dead) return;
    if (this.paused) this.held.push(fire);
    else fire();
  }
}

/** Lets pending promise continuations run (one turn of the event loop; no time passes). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
