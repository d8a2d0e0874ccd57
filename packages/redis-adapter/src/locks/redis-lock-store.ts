import type { LockGrant, LockStore, LockStoreState } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import type { LockKeys } from '../key-layout.js';
import { waiterEntry, type LockGrants, type Waiter } from './lock-grants.js';
import { acquireLock, extendLock, inspectLock, leaveLockQueue, releaseLock } from './lock-scripts.js';

/** How long a waiter's place in line lasts without a refresh (ms); a crashed waiter is skipped after this. */
const PLACE_TTL_MS = 1_500;

/**
 * The LockStore on Redis. The lock key holds the owner's token as a plain string with a PX TTL,
 * so a client following the recipe (GET, compare, DEL) interoperates. Acquisition is one script
 * (`SET NX PX` + `INCR` of the fence counter, honouring a waiter queue so waiters are served in
 * order of arrival); release and extend compare the token first.
 *
 * Hand-off: a caller that will wait joins the line in its first attempt. A release hands the lock
 * straight to the first live waiter (its token and TTL go into the lock key, the fence goes up)
 * and tells it on its backend's grant channel, so the waiter holds the lock when the message
 * arrives, with no round trip of its own. Its local deadline counts from the send time of the
 * last request that found it still waiting, which ran before the hand-off. Every waiter still
 * looks at the lock at least every 250 ms (refreshing its place), so a lost message, a recipe
 * client's DEL or an expiry never strands anyone; a waiter that stops refreshing (crashed) is
 * skipped once its place lapses, 1.5 s later.
 */
export class RedisLockStore implements LockStore {
  /** @param grants the backend's waiters and grant channel, shared by all its lock stores */
  constructor(
    private readonly ctx: BackendContext,
    private readonly grants: LockGrants,
    private readonly bound?: (resource: string) => string,
  ) {}

  /**
   * See LockStore.tryAcquire. With `queue`, a caller that does not get the lock is in line after
   * the same round trip, and a lock already handed to it resolves as a LockGrant.
   */
  tryAcquire(resource: string, token: string, ttlMs: number): Promise<number | null>;
  tryAcquire(resource: string, token: string, ttlMs: number, queue: boolean): Promise<number | LockGrant | null>;
  async tryAcquire(resource: string, token: string, ttlMs: number, queue = false): Promise<number | LockGrant | null> {
    const waiter = this.grants.waiting.get(token);
    if (waiter) return this.attempt(resource, token, ttlMs, waiter);
    // Until the backend's grant channel is subscribed, a first attempt does not queue: a backend
    // that never meets a held lock never opens its subscriber connection, and the one that does
    // subscribes while others go on taking turns, not while it holds up the line.
    if (!queue || !this.grants.subscribed) {
      const args = { token, ttlMs, placeMs: 0, grantChannel: '' };
      const reply = await this.ctx.runner.run(acquireLock, this.keys(resource), args);
      if (reply.state === 'acquired') return reply.fence;
      if (!queue) return null;
    }
    return this.attempt(resource, token, ttlMs, await this.join(token, ttlMs));
  }

  /** See LockStore.extend. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    return this.ctx.runner.run(extendLock, this.keys(resource), { token, ttlMs });
  }

  /** See LockStore.release: hands the lock to the first live waiter in line, or deletes it. */
  async release(resource: string, token: string): Promise<boolean> {
    return this.ctx.runner.run(releaseLock, this.keys(resource), { token });
  }

  /**
   * See LockStore.confirm: on a connection of its own (WAIT blocks the connection it runs on, and
   * the shared one must keep serving others), `INCRBY <fence> 0` (a write that changes nothing but
   * is replicated after the lock's own write) then `WAIT replicas timeoutMs`, in one round trip;
   * resolves how many replicas acknowledged everything up to and including the lock.
   */
  async confirm(resource: string, _token: string, replicas: number, timeoutMs: number): Promise<number> {
    const fence = this.keys(resource).fence;
    return this.ctx.runner.call(async () => {
      const client = this.ctx.connections.takeBlocking();
      try {
        const replies = await client.pipeline().incrby(fence, 0).wait(replicas, timeoutMs).exec();
        const failed = replies?.find(([error]) => error);
        if (!replies || failed) throw failed?.[0] ?? new Error('WAIT got no reply');
        return Number(replies[1]![1]);
      } finally {
        this.ctx.connections.releaseBlocking(client);
      }
    });
  }

  /**
   * See LockStore.inspect: one read-only script call (fence, PTTL and the live places in line,
   * judged by the server's clock). A lock a recipe client set without expiry shows as held with
   * Number.MAX_SAFE_INTEGER ms left.
   */
  async inspect(resource: string): Promise<LockStoreState> {
    const { fence, pttl, waiters } = await this.ctx.runner.run(inspectLock, this.keys(resource), {});
    const expiresInMs = pttl === -2 ? null : pttl === -1 ? Number.MAX_SAFE_INTEGER : pttl;
    return { fence, expiresInMs, waiters };
  }

  /** See LockStore.waitForRelease (LockGrants.wait): sleeps until a hand-off, the lock's expiry, 250 ms or `timeoutMs`. */
  waitForRelease(_resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void> {
    return this.grants.wait(token, timeoutMs, signal);
  }

  /**
   * See LockStore.leaveQueue: forgets the waiter and, in the background, takes it out of line;
   * a lock handed to it meanwhile is passed on to the next waiter (or freed).
   */
  leaveQueue(resource: string, token: string): void {
    const waiter = this.grants.waiting.get(token);
    if (!waiter) return;
    this.grants.waiting.delete(token);
    if (this.ctx.closed) return;
    this.ctx.runner.run(leaveLockQueue, this.keys(resource), { token, entry: waiter.entry }).catch((error: unknown) => {
      this.ctx.logger.debug('leaving a lock queue failed; the place expires by itself', { resource, error: String(error) });
    });
  }

  private join(token: string, ttlMs: number): Promise<Waiter> {
    return this.grants.join(token, ttlMs, (channel) => waiterEntry(token, ttlMs, channel));
  }

  private async attempt(resource: string, token: string, ttlMs: number, waiter: Waiter): Promise<number | LockGrant | null> {
    if (waiter.grant) return this.grants.take(token, waiter.grant);
    const sentAt = this.ctx.clock.now();
    const args = { token, ttlMs, placeMs: PLACE_TTL_MS, grantChannel: this.grants.channel };
    const reply = await this.ctx.runner.run(acquireLock, this.keys(resource), args);
    switch (reply.state) {
      case 'held':
        return null;
      case 'acquired':
        // acquireLock took the token out of the waiter queue
        this.grants.waiting.delete(token);
        return reply.fence;
      case 'handed':
        // handed over by a release that ran before this attempt (its message is late or lost)
        return this.grants.take(token, waiter.grant ?? { fence: reply.fence, grantedAfter: waiter.since });
      case 'waiting':
        // this attempt ran before any hand-off to come, and saw the fence as it was
        waiter.since = Math.max(waiter.since, sentAt);
        waiter.minSeq = Math.max(waiter.minSeq, reply.fence);
        waiter.pttl = reply.pttl;
        return waiter.grant ? this.grants.take(token, waiter.grant) : null;
    }
  }

  private keys(resource: string): LockKeys {
    return this.ctx.keys.lock(resource, this.bound);
  }
}
