import { BackendUnavailableError, type SharedTimer } from '@baton/core';
import type { BackendContext } from '../backend-context.js';
import type { QueueKeys } from '../key-layout.js';
import { returnDelivery } from './queue-scripts.js';
import type { WakeHub, WakeTarget } from './wake-hub.js';

interface Waiter {
  /** Ends the wait: with an error, with a delivery for this waiter, or with neither (look again). */
  wake: (error?: Error, delivery?: string) => void;
}

/**
 * A waiter's member in a queue's idle zset: "<wake channel>|<visibility ms>". enqueueTasks
 * publishes a delivery on that channel, leased for that long (prelude.lua idle_fields reads it).
 */
export function idleMember(channel: string, visibilityMs: number): string {
  return `${channel}|${visibilityMs}`;
}

/**
 * Lets the lease calls of one queue (or shard) in this backend wait for work without polling and
 * without a connection of their own: the backend's WakeHub carries what wakes them. A lease call
 * that finds nothing registers in the queue's idle zset with the hub's wake channel (see
 * idleMember), so an enqueue leases a new task to it directly and publishes it as a delivery,
 * which one local waiter runs without a lease call. A delivery that arrives while nobody here
 * waits for it (the lease call that registered has not reached its wait yet, or the wait ended)
 * is kept for that lease call, or else put back in the wait list for any lease call to adopt.
 *
 * Tasks that are not new do not come as deliveries: from its first wait on, the waiter watches the
 * queue's due channel until the backend closes. A delayed task that became the earliest (enqueued
 * or retried anywhere) wakes the waiters at its due time (announced in ms from the server's now,
 * so the two clocks need not agree), and so does a task made ready outside an enqueue (a 0 ms
 * retry, a recovery, a returned delivery: announced as due in 0 ms). The hub's safety net wakes
 * the waiters when it finds ready work they missed. A lease loop reads `epoch` before its lease
 * call and passes it to `wait`, so a wake-up between the two (or one before the channels were
 * subscribed) ends the wait at once instead of being missed.
 *
 * A caller that gives up (its signal aborted) and leaves nobody waiting here calls `abandon`: this
 * process's idle registrations are withdrawn, so nothing is delivered to a process that stopped
 * waiting.
 */
export class QueueWaiter implements WakeTarget {
  private readonly waiters = new Set<Waiter>();
  private unsubscribe: (() => void) | undefined;
  private subscribing = false;
  private dueTimer: SharedTimer | undefined;
  private wakeEpoch = 0;
  /** Idle-set members this waiter's lease calls may have registered. */
  private readonly members = new Set<string>();
  /** Lease calls under way that may register for deliveries, and deliveries kept for them. */
  private leasing = 0;
  private readonly held: string[] = [];

  constructor(
    private readonly ctx: BackendContext,
    readonly keys: QueueKeys,
    private readonly hub: WakeHub,
  ) {
    hub.add(this);
    ctx.onClose(() => {
      this.dueTimer?.cancel();
      this.unsubscribe?.();
      this.wakeWaiters();
    });
  }

  /**
   * Grows with every wake-up that does not carry a delivery (a due time reached, ready work found
   * by the safety net, a channel subscribed or resubscribed). Read it before a lease call and give
   * it to `wait`.
   */
  get epoch(): number {
    return this.wakeEpoch;
  }

  /** True while a lease call of this backend waits here. */
  get waiting(): boolean {
    return this.waiters.size > 0;
  }

  /** How long (ms) one idle registration may last (see WakeHub.registrationLimitMs). */
  get registrationLimitMs(): number {
    return this.hub.registrationLimitMs;
  }

  /**
   * The idle-set member for handles with visibility timeout `visibilityMs`; '' (do not register)
   * until the wake channel is subscribed, since a delivery nobody hears is lost on a Cluster.
   */
  idleMember(visibilityMs: number): string {
    if (!this.hub.listens) return '';
    const member = idleMember(this.hub.channel, visibilityMs);
    this.members.add(member);
    return member;
  }

  /**
   * The wake channel this backend's registrations name, '' while it is not subscribed: an enqueue
   * that passes it gets deliveries to this process in its reply instead of as messages.
   */
  get ownChannel(): string {
    return this.hub.listens && !this.ctx.closed ? this.hub.channel : '';
  }

  /** A lease call that may register for deliveries starts; call `leaseEnded` when its reply is in. */
  leaseStarted(): void {
    this.leasing++;
  }

  /**
   * The lease call's reply is in. A delivery that came meanwhile is kept until the caller had its
   * turn to wait for it; one nobody took by then goes back to the wait list.
   */
  leaseEnded(): void {
    this.leasing--;
    if (this.leasing === 0 && this.held.length > 0) setImmediate(() => this.returnHeld());
  }

  /**
   * For a caller whose wait was aborted: when nobody here waits any more, withdraws the idle
   * registrations (resolves once Redis has them withdrawn, so an enqueue sent afterwards is not
   * delivered here). Does nothing while others still wait.
   */
  async abandon(): Promise<void> {
    if (this.waiters.size > 0 || this.ctx.closed) return;
    const members = [...this.members];
    this.members.clear();
    if (members.length === 0) return;
    await this.ctx.runner
      .call((client) => client.zrem(this.keys.idle, ...members))
      .catch((error: unknown) =>
        this.ctx.logger.debug('could not withdraw idle registrations; they lapse at their wait deadline', { key: this.keys.idle, error: String(error) }),
      );
  }

  /**
   * Resolves when work may have arrived (undefined: look with a lease call), with a delivery leased
   * to this waiter's queue (an envelope with its lease, see decodeDelivery), after `ms` of clock
   * time, when the backend closes, when `signal` aborts (a sharded queue stops waiting on the other
   * shards once one has work), or at once when `epoch` moved past `since` (the value read before
   * the caller's lease call). Rejects with BackendUnavailableError when Redis refuses the
   * subscriptions waiting needs to this user (NOPERM).
   */
  wait(ms: number, signal?: AbortSignal, since?: number): Promise<string | undefined> {
    this.watchDue();
    if (this.ctx.closed || signal?.aborted || (since !== undefined && since !== this.wakeEpoch)) return Promise.resolve(undefined);
    const kept = this.held.shift();
    if (kept !== undefined) return Promise.resolve(kept);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        wake: (error?: Error, delivery?: string) => {
          timer.cancel();
          signal?.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
          if (error) reject(error);
          else resolve(delivery);
        },
      };
      const timer = this.hub.timers.after(ms, () => waiter.wake());
      const onAbort = (): void => waiter.wake();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.hub.waiting();
      this.hub.listen().catch((error: unknown) => this.refused(error, 'could not listen for deliveries'));
    });
  }

  /** See WakeTarget.wake: every local wait ends and looks again. */
  wake(): void {
    this.wakeEpoch++;
    this.wakeWaiters();
  }

  /**
   * See WakeTarget.receive: the delivery goes to one local waiter; with none, it is kept for a
   * lease call under way, or given back.
   */
  receive(delivery: string): void {
    const [waiter] = this.waiters;
    if (waiter) {
      waiter.wake(undefined, delivery);
      // Every lease call of this backend registers the same idle member, and the delivery used it
      // up: an enqueue of more tasks put the rest in the wait list without telling anyone. The
      // other waiters here look again (and register again if they find nothing).
      if (this.waiters.size > 0) this.wake();
    } else if (this.leasing > 0) this.held.push(delivery);
    else this.giveBack(delivery);
  }

  private returnHeld(): void {
    if (this.leasing > 0) return;
    for (const delivery of this.held.splice(0)) this.giveBack(delivery);
  }

  // A refused subscription (NOPERM) will not come back by retrying: the waits say so. Anything
  // else is retried by the next wait; the waits still end by their timers and the safety net.
  private refused(error: unknown, what: string): void {
    if (error instanceof BackendUnavailableError && error.message.includes('refused a command to this user')) {
      for (const waiter of [...this.waiters]) waiter.wake(error);
      return;
    }
    if (!this.ctx.closed) this.ctx.logger.debug(what, { queue: this.keys.wait, error: String(error) });
  }

  // Subscribed once, kept until the backend closes: announcements that come while nobody here
  // waits are kept too (onDue), for the lease loop that is between its lease call and its wait.
  private watchDue(): void {
    if (this.unsubscribe || this.subscribing || this.ctx.closed) return;
    this.subscribing = true;
    this.ctx.subscriptions
      .subscribe(this.keys.dueChannel, (message) => this.onDue(this.ctx.clock.now() + Number(message)))
      .then((unsubscribe) => {
        if (this.ctx.closed) return unsubscribe();
        const offReconnect = this.ctx.subscriptions.onReconnect(this.keys.dueChannel, () => this.wake());
        this.unsubscribe = () => {
          unsubscribe();
          offReconnect();
        };
        this.wake();
      })
      .catch((error: unknown) => this.refused(error, 'could not watch delayed tasks'))
      .finally(() => {
        this.subscribing = false;
      });
  }

  private onDue(due: number): void {
    if (!Number.isFinite(due) || (this.dueTimer && due >= this.dueTimer.at)) return;
    this.dueTimer?.cancel();
    this.dueTimer = this.hub.timers.at(due, () => {
      this.dueTimer = undefined;
      this.wake();
    });
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  // A delivery no waiter here wants goes back to the wait list, and the due channel tells every
  // process's waiting workers (returnDelivery.lua).
  private giveBack(delivery: string): void {
    this.ctx.runner
      .run(returnDelivery, this.keys, { delivery, dueChannel: this.keys.dueChannel })
      .catch((error: unknown) =>
        this.ctx.logger.debug('could not give a delivery back; its lease expires and is recovered', { key: this.keys.wait, error: String(error) }),
      );
  }
}
