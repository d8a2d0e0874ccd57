import { setClockTimeout } from '@baton/core';
import { newToken } from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';

interface Sleeper {
  wake: () => void;
}

/**
 * Lets the claims of one queue in this backend wait for work without a polling loop. The queue's
 * channel is LISTENed (on the backend's one LISTEN connection) before a claim registers this
 * waiter in `queue_waiters`; from then on, an enqueue, a retry or a recovery anywhere NOTIFYs the
 * channel with the ms until the new task is due, and every local sleeper wakes then (at once for
 * a ready task) to claim again. After the LISTEN connection comes back, every sleeper wakes (a
 * forced fetch: notifications sent meanwhile are lost) and the registration is renewed by the next
 * claim (an unlogged table is emptied by a server crash).
 */
export class QueueWaiter {
  /** This waiter's id in `queue_waiters`. */
  readonly id = newToken();
  /**
   * Until when (caller's clock, ms, a lower bound of the stored time) the database lists this
   * waiter as blocked on the queue; 0: not registered.
   */
  registeredUntil = 0;
  private readonly sleepers = new Set<Sleeper>();
  private subscribing: Promise<unknown> | undefined;
  private listened = false;
  private dueAt = Infinity;
  private wakeups = 0;
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
        this.wakeAll();
      }),
    );
  }

  /** How many claims of this backend are sleeping on the queue now. */
  get sleeping(): number {
    return this.sleepers.size;
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

  /**
   * Resolves after `ms` (clock time), on a notification that work may be there, on a reconnect,
   * when the backend closes or when `signal` aborts; at once when a wake-up came since `epoch`
   * was read, and no later than a delayed task announced meanwhile falls due.
   */
  wait(ms: number, signal?: AbortSignal, since = this.wakeups): Promise<void> {
    if (this.ctx.closed || signal?.aborted || since !== this.wakeups) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
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
    if (dueInMs <= 0) {
      this.wakeAll();
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
      this.wakeAll();
    });
  }

  private wakeAll(): void {
    this.wakeups++;
    for (const sleeper of [...this.sleepers]) sleeper.wake();
  }
}
