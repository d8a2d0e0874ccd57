import { newToken, type LockGrant } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';

/** One waiting acquire of a backend: its place in line and what it has heard. */
export interface Waiter {
  /** Its entry in the waiter list: "<token> <ttl> <grant channel>" (as acquireLock.lua builds it). */
  entry: string;
  /** The TTL it asked for (ms): a hand-off gives it the lock for this long. */
  ttlMs: number;
  /**
   * Send time (caller's clock, ms) of the latest request known to have run before any hand-off
   * to this waiter: the first request that queued it, then each one answered "still waiting".
   */
  since: number;
  /** The fence counter seen by the latest "still waiting" answer: a grant at or below it is stale. */
  minFence: number;
  /** The lock's PTTL in the latest "still waiting" answer (ms; -1 without expiry). */
  pttl: number | undefined;
  /** Set by the grant message addressed to this waiter. */
  grant: LockGrant | undefined;
  /** Ends the current sleep, if any. */
  wake: () => void;
}

/**
 * The lock waiters of one backend and the channel their grants arrive on. One channel per
 * backend (not per resource): a release tells exactly one connection, the one of the waiter it
 * handed the lock to, however many others wait. Subscribed on the first wait, kept until the
 * backend closes (ioredis resubscribes after a reconnect). The backend creates one and gives it to
 * each of its lock stores.
 */
export class LockGrants {
  /** Waiters by token (tokens are unique). */
  readonly waiting = new Map<string, Waiter>();
  readonly channel: string;
  /** True once the grant channel is subscribed. */
  subscribed = false;
  private subscribing: Promise<void> | undefined;

  constructor(private readonly ctx: BackendContext) {
    this.channel = `${ctx.keys.prefix}:lock-grants:${newToken()}`;
  }

  /** Resolves once the grant channel is subscribed (at once after the first time). */
  ready(): Promise<void> | undefined {
    if (this.subscribed) return undefined;
    this.subscribing ??= this.ctx.subscriptions
      .subscribe(this.channel, (message) => this.onGrant(message))
      .then(
        () => {
          this.subscribed = true;
        },
        (error: unknown) => {
          this.subscribing = undefined;
          throw error;
        },
      );
    return this.subscribing;
  }

  // "<token> <fence>": the lock is the waiter's already; wake it unless the message is stale.
  private onGrant(message: string): void {
    const space = message.indexOf(' ');
    const waiter = this.waiting.get(message.slice(0, space));
    const fence = Number(message.slice(space + 1));
    if (!waiter || waiter.grant || !(fence > waiter.minFence)) return;
    waiter.grant = { fence, grantedAfter: waiter.since };
    waiter.wake();
  }
}
