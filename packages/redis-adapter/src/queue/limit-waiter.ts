import { setClockTimeout } from '@baton/core';
import type { ResolvedLimits } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';

/** The limits spec the scripts read: "<concurrency>,<rate max>,<rate window ms>", 0 for a limit not given (prelude.lua limit_fields). */
export function limitSpec(limits: ResolvedLimits): string {
  return `${limits.concurrency ?? 0},${limits.rate?.max ?? 0},${limits.rate?.perMs ?? 0}`;
}

/**
 * Lets the lease calls of one queue that its limits held back wait for a slot without polling.
 * A held-back lease call marks the queue held; the next complete, fail or cancel on any node then
 * publishes once on the queue's slots channel (prelude.lua slot_freed), which this waiter watches
 * from its first use until the backend closes and which wakes every local wait. Slots that free
 * by the clock (a lease deadline, the rate window's end) are waited for with a timer, for as long
 * as the lease script said. As with QueueWaiter, a caller reads `epoch` before its lease call and
 * passes it to `wait`, so a slot freed between the two (or before the channel was subscribed)
 * ends the wait at once instead of being missed. One per queue and backend, shared by its handles.
 */
export class LimitWaiter {
  private freedCount = 0;
  private unsubscribe: (() => void) | undefined;
  private subscribing = false;
  private readonly waits = new Set<() => void>();

  constructor(
    private readonly ctx: BackendContext,
    private readonly channel: string,
  ) {
    ctx.onClose(() => {
      this.unsubscribe?.();
      this.wakeAll();
    });
  }

  /** Grows when a slot may have freed; read it before a lease call and give it to `wait`. */
  get epoch(): number {
    this.watch();
    return this.freedCount;
  }

  /**
   * Resolves when a slot may have freed (a message on the slots channel), after `ms` of clock
   * time, when `signal` aborts, when the backend closes, or at once when `epoch` moved past `since`.
   */
  wait(ms: number, signal: AbortSignal | undefined, since: number): Promise<void> {
    this.watch();
    if (this.ctx.closed || signal?.aborted || since !== this.freedCount) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        cancel();
        signal?.removeEventListener('abort', done);
        this.waits.delete(done);
        resolve();
      };
      const cancel = setClockTimeout(this.ctx.clock, ms, done);
      signal?.addEventListener('abort', done, { once: true });
      this.waits.add(done);
    });
  }

  // Subscribed once, kept until the backend closes, so a message that comes between a lease call
  // and its wait is counted in the epoch.
  private watch(): void {
    if (this.unsubscribe || this.subscribing || this.ctx.closed) return;
    this.subscribing = true;
    this.ctx.subscriptions
      .subscribe(this.channel, () => this.freed())
      .then((unsubscribe) => {
        if (this.ctx.closed) return unsubscribe();
        this.unsubscribe = unsubscribe;
        // messages before the subscription were missed: look again
        this.freed();
      })
      .catch((error: unknown) => this.ctx.logger.debug('could not watch freed slots; waits end by the clock', { channel: this.channel, error: String(error) }))
      .finally(() => {
        this.subscribing = false;
      });
  }

  private freed(): void {
    this.freedCount++;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const done of [...this.waits]) done();
  }
}
