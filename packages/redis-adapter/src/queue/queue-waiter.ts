import { setClockTimeout } from '@baton/core';
import { newToken } from '@baton/core/adapter';
import type { Redis } from 'ioredis';
import type { BackendContext } from '../backend-context.js';
import type { QueueKeys } from '../key-layout.js';
import { toBatonError } from '../reply-codes.js';
import { isDelivery } from './envelope.js';
import { returnDelivery } from './queue-scripts.js';

interface Waiter {
  deadline: number;
  /** Ends the wait: with an error, with a delivery for this waiter, or with neither (look again). */
  wake: (error?: Error, delivery?: string) => void;
}

/**
 * A waiter's member in a queue's idle zset: "<waiter id>|<visibility ms>". enqueueTasks leases a
 * delivery for that long (prelude.lua idle_visibility reads it back).
 */
export function idleMember(waiterId: string, visibilityMs: number): string {
  return `${waiterId}|${visibilityMs}`;
}

/** Shortest BLMOVE timeout sent (s); 0 would mean "forever". */
const MIN_BLOCK_S = 0.01;
/** Pause after a failed blocking call before the next one (ms), so an outage does not spin. */
const RETRY_PAUSE_MS = 200;

/**
 * Lets the dequeues of one queue in this backend wait for work without polling. One blocking
 * `BLMOVE wait claimed RIGHT LEFT timeout` at a time runs on a dedicated connection, bounded by
 * the longest local wait; when it moves an element, every local waiter is woken to run the lease
 * script. The moved element is safe in the claimed list, which the lease script serves first, so
 * a process that dies between the two steps loses nothing. Delayed tasks and retries do not touch
 * the wait list until they are due, so from its first wait on, the waiter also watches the queue's
 * due channel until the backend closes: a delayed task that became the earliest (enqueued or
 * retried anywhere) wakes the waiters at its due time (announced in ms from the server's now, so
 * the two clocks need not agree), and so does a prioritized task made ready outside an enqueue
 * (announced as due in 0 ms), which the blocking wait on the wait list does not see. A lease loop reads `epoch` before its lease
 * call and passes it to `wait`, so a due time announced and reached between the two (or before
 * the channel was first subscribed) still ends the wait at once instead of being missed.
 *
 * A lease call that finds nothing registers this waiter in the queue's idle set (see idleMember),
 * so an enqueue can lease a new task to it directly and push it as a delivery. A moved delivery
 * goes to one local waiter, which runs it without a lease call; when nobody here waits for it any
 * more, it is put back in the wait list for the next lease call to adopt.
 *
 * A caller that gives up (its signal aborted) and leaves nobody waiting here calls `abandon`: the
 * blocking command is cut (its connection is closed, not reused) and this process's idle
 * registrations are withdrawn, so nothing is moved or delivered to a process that stopped waiting.
 */
export class QueueWaiter {
  private readonly id = newToken();
  private readonly waiters = new Set<Waiter>();
  private running = false;
  private unsubscribe: (() => void) | undefined;
  private subscribing = false;
  private dueAt = Infinity;
  private cancelDue: () => void = () => undefined;
  private dueEpoch = 0;
  /** Idle-set members this waiter's lease calls may have registered. */
  private readonly members = new Set<string>();
  /** The connection of the blocking command under way, and whether `abandon` cut it. */
  private blocking: Redis | undefined;
  private cut = false;
  /** Aborts when the backend closes, ending the pause after a failed blocking call. */
  private readonly closing = new AbortController();

  constructor(
    private readonly ctx: BackendContext,
    private readonly keys: QueueKeys,
  ) {
    ctx.onClose(() => {
      this.cancelDue();
      this.unsubscribe?.();
      this.wakeAll();
      this.closing.abort();
    });
  }

  /**
   * Grows when a delayed task may have become due without a waiter hearing of it: an announced due
   * time was reached, or the due channel was just subscribed (announcements before that were
   * missed). Read it before a lease call and give it to `wait`.
   */
  get epoch(): number {
    return this.dueEpoch;
  }

  /** The idle-set member of this waiter for handles with visibility timeout `visibilityMs`. */
  idleMember(visibilityMs: number): string {
    const member = idleMember(this.id, visibilityMs);
    this.members.add(member);
    return member;
  }

  /**
   * For a caller whose wait was aborted: when nobody here waits any more, cuts the blocking
   * command and withdraws the idle registrations (resolves once Redis has them withdrawn, so an
   * enqueue sent afterwards is not delivered here). Does nothing while others still wait. An
   * element the cut command had just moved stays in `claimed`, which the next lease call serves
   * first (a delivery there expires and is recovered), as after a crash.
   */
  async abandon(): Promise<void> {
    if (this.waiters.size > 0 || this.ctx.closed) return;
    let closing: Promise<void> | undefined;
    if (this.blocking) {
      this.cut = true;
      closing = this.ctx.connections.discardBlocking(this.blocking);
      this.blocking = undefined;
    }
    const members = [...this.members];
    this.members.clear();
    const withdrawing =
      members.length === 0
        ? undefined
        : this.ctx.runner
            .call((client) => client.zrem(this.keys.idle, ...members))
            .catch((error: unknown) =>
              this.ctx.logger.debug('could not withdraw idle registrations; they lapse at their wait deadline', { key: this.keys.idle, error: String(error) }),
            );
    await Promise.all([closing, withdrawing]);
  }

  /**
   * Resolves when work may have arrived (undefined: look with a lease call), with a delivery leased
   * to this waiter's queue (an envelope with its lease, see decodeDelivery), after `ms` of clock
   * time, when the backend closes, when `signal` aborts (a sharded queue stops waiting on the other
   * shards once one has work), or at once when `epoch` moved past `since` (the value read before
   * the caller's lease call). Rejects with BackendUnavailableError when Redis refuses the blocking
   * command to this user (NOPERM).
   */
  wait(ms: number, signal?: AbortSignal, since?: number): Promise<string | undefined> {
    this.watchDue();
    if (this.ctx.closed || signal?.aborted || (since !== undefined && since !== this.dueEpoch)) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        deadline: this.ctx.clock.now() + ms,
        wake: (error?: Error, delivery?: string) => {
          cancel();
          signal?.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
          if (error) reject(error);
          else resolve(delivery);
        },
      };
      const cancel = setClockTimeout(this.ctx.clock, ms, () => waiter.wake());
      const onAbort = (): void => waiter.wake();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      if (!this.running) void this.block();
    });
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
        this.unsubscribe = unsubscribe;
        this.dueReached();
      })
      .catch((error: unknown) => this.ctx.logger.debug('could not watch delayed tasks', { channel: this.keys.dueChannel, error: String(error) }))
      .finally(() => {
        this.subscribing = false;
      });
  }

  private onDue(due: number): void {
    if (!Number.isFinite(due) || due >= this.dueAt) return;
    this.cancelDue();
    this.dueAt = due;
    this.cancelDue = setClockTimeout(this.ctx.clock, due - this.ctx.clock.now(), () => {
      this.dueAt = Infinity;
      this.dueReached();
    });
  }

  private dueReached(): void {
    this.dueEpoch++;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  // A delivery's claimed entry stays until the next lease call drops it (stats do not count it), so
  // nothing is written between the move and the task's start. One that no waiter here wants any
  // more goes back to the wait list.
  private deliver(delivery: string): void {
    const [waiter] = this.waiters;
    if (waiter) {
      waiter.wake(undefined, delivery);
      return;
    }
    this.ctx.runner
      .run(returnDelivery, this.keys, { delivery })
      .catch((error: unknown) =>
        this.ctx.logger.debug('could not give a delivery back; its lease expires and is recovered', { key: this.keys.claimed, error: String(error) }),
      );
  }

  private async block(): Promise<void> {
    this.running = true;
    try {
      while (!this.ctx.closed && this.waiters.size > 0) {
        const until = Math.max(...[...this.waiters].map((w) => w.deadline));
        const seconds = Math.max(MIN_BLOCK_S, (until - this.ctx.clock.now()) / 1_000);
        const client = this.ctx.connections.takeBlocking();
        this.blocking = client;
        this.cut = false;
        let moved: string | null = null;
        let failed = false;
        try {
          moved = await client.blmove(this.keys.wait, this.keys.claimed, 'RIGHT', 'LEFT', seconds.toFixed(3));
        } catch (error) {
          // cut by abandon(): nobody here waits, nothing to report
          if (this.cut) continue;
          failed = true;
          // A permission the user lacks will not come back by retrying: say so to the callers.
          if (String(error).includes('NOPERM')) {
            const refused = toBatonError(error, this.ctx.connections.address);
            for (const waiter of [...this.waiters]) waiter.wake(refused);
          }
          if (!this.ctx.closed) this.ctx.logger.debug('blocking wait failed; retrying', { key: this.keys.wait, error: String(error) });
        } finally {
          if (this.blocking === client) this.blocking = undefined;
          if (!this.cut) this.ctx.connections.releaseBlocking(client);
        }
        if (moved !== null && isDelivery(moved)) this.deliver(moved);
        else if (moved !== null) this.wakeAll();
        else if (failed && !this.ctx.closed) {
          // a wrong key type or an outage: let the waiters' own lease calls report it
          this.wakeAll();
          await this.ctx.clock.sleep(RETRY_PAUSE_MS, this.closing.signal).catch(() => undefined);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
