import { setClockTimeout } from '@baton/core';
import { newToken } from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';

/**
 * What wakes a sleeper besides its timer, its signal, a reconnect and close: 'work' (a task
 * became ready or due), 'slot' (a slot of a queue with limits freed), 'clock' (nothing else).
 */
export type WakeOn = 'work' | 'slot' | 'clock';

interface Sleeper {
  wakeOn: WakeOn;
  wake: () => void;
}

/**
 * Lets the claims of one queue in this backend wait for work without a polling loop. The queue's
 * channel is LISTENed (on the backend's one LISTEN connection) before a claim registers this
 * waiter in `queue_waiters`; from then on, an enqueue, a retry or a recovery anywhere NOTIFYs the
 * channel with the ms until the new task is due, and every local sleeper wakes then (at once for
 * a ready task) to claim again. After the LISTEN connection comes back, every sleeper wakes (a
 * forced fetch: notifications sent meanwhile are lost) and the registration is renewed by the next
 * claim (an unlogged table is emptied by a server crash). A claim that limits held back sleeps
 * for a freed slot instead (a NOTIFY of -1 from any handle's completion, fail or cancellation, see
 * the v6 and v7 migrations), or for the clock alone when only
 * the end of the rate window can help: enqueues do not wake it.
 */
export class QueueWaiter {
  /** This waiter's id in `queue_waiters`. */
  readonly id = newToken();
  /**
   * Until when (caller's clock, ms, a lower bound of the stored time) the database lists this
   * waiter as blocked on the queue; 0: not registered.
   */
  registeredUntil = 0;
  /**
   * Until when (caller's clock, ms, a lower bound of the stored time) the database marks the queue
   * as held back for a claim of this waiter (`queue_limits.held_until`); 0: not marked.
   */
  heldUntil = 0;
  private readonly sleepers = new Set<Sleeper>();
  private subscribing: Promise<unknown> | undefined;
  private listened = false;
  private dueAt = Infinity;
  private wakeups = 0;
  private slotWakeups = 0;
  private cancelDue: () => void = () => undefined;

  constructor(
    private readonly ctx: PgContext,
    readonly channel: string,
  ) {
    ctx.onClose(() => {
      this.cancelDue();
      this.wakeAll();
    });
    ctx.onClose(
      ctx.listener.onReconnect(() => {
        this.registeredUntil = 0;
        this.heldUntil = 0;
        this.wakeAll();
      }),
    );
  }

  /** How many claims of this backend are sleeping on the queue for work now (not those held back by limits). */
  get sleeping(): number {
    let count = 0;
    for (const sleeper of this.sleepers) if (sleeper.wakeOn === 'work') count++;
    return count;
  }

  /** Resolves once the channel is LISTENed (undefined, at once, after the first time). Rejects with BackendUnavailableError. */
  ready(): Promise<unknown> | undefined {
    if (this.listened) return undefined;
    this.subscribing ??= this.ctx.listener
      .listen(this.channel, (payload) => this.onNotify(Number(payload)))
      .then(
        () => {
          this.listened = true;
        },
        (error: unknown) => {
          this.subscribing = undefined;
          throw error;
        },
      );
    return this.subscribing;
  }

  /**
   * A count of the wake-ups so far (notifications of ready work, due timers, reconnects). A claim
   * reads it before its statement and hands it to `wait`: a notification that arrives while the
   * statement runs (the listen connection may deliver it before the claim's answer) then ends the
   * wait at once instead of being lost to a sleeper that did not exist yet.
   */
  get epoch(): number {
    return this.wakeups;
  }

  /** `epoch` for the wake-ups of a claim held back by limits (freed slots, reconnects). */
  get slotEpoch(): number {
    return this.slotWakeups;
  }

  /**
   * Resolves after `ms` (clock time), on a notification that work may be there, on a reconnect,
   * when the backend closes or when `signal` aborts; at once when a wake-up came since `epoch`
   * was read, and no later than a delayed task announced meanwhile falls due. With `wakeOn`
   * 'slot' the notification is a freed slot instead (`since` is then a `slotEpoch`); with 'clock'
   * no notification wakes it.
   */
  wait(ms: number, signal?: AbortSignal, since = this.wakeups, wakeOn: WakeOn = 'work'): Promise<void> {
    const missed = wakeOn === 'work' ? since !== this.wakeups : wakeOn === 'slot' ? since !== this.slotWakeups : false;
    if (this.ctx.closed || signal?.aborted || missed) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        wakeOn,
        wake: () => {
          cancel();
          signal?.removeEventListener('abort', sleeper.wake);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      const cancel = setClockTimeout(this.ctx.clock, ms, () => sleeper.wake());
      signal?.addEventListener('abort', sleeper.wake, { once: true });
      this.sleepers.add(sleeper);
    });
  }

  private onNotify(dueInMs: number): void {
    if (!Number.isFinite(dueInMs)) return;
    if (dueInMs < 0) {
      this.wakeAll('slot');
      return;
    }
    if (dueInMs === 0) {
      this.wakeAll('work');
      return;
    }
    // Kept even with nobody asleep: a claim in flight may not have seen the task.
    const at = this.ctx.clock.now() + dueInMs;
    if (at >= this.dueAt) return;
    this.cancelDue();
    this.dueAt = at;
    this.cancelDue = setClockTimeout(this.ctx.clock, dueInMs, () => {
      this.dueAt = Infinity;
      this.cancelDue = () => undefined;
      this.wakeAll('work');
    });
  }

  /** Wakes the sleepers waiting for `what` (every one when undefined: close, reconnect). */
  private wakeAll(what?: 'work' | 'slot'): void {
    if (what !== 'slot') this.wakeups++;
    if (what !== 'work') this.slotWakeups++;
    for (const sleeper of [...this.sleepers]) if (what === undefined || sleeper.wakeOn === what) sleeper.wake();
  }
}
