import { SemaphoreLimitError } from '@baton/core';
import type { LockGrant, PermitRequest, PermitState, PermitStore } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import type { PermitKeys } from '../key-layout.js';
import { permitEntry, type LockGrants, type Waiter } from './lock-grants.js';
import { acquirePermits, extendPermits, inspectPermits, leavePermitQueue, releasePermits } from './permit-scripts.js';

/** How long a waiter's place in line lasts without a refresh (ms, server time); a crashed waiter is skipped after this. */
const PLACE_TTL_MS = 1_500;

/** Which resources a permit store serves: semaphores and read/write locks of one name never share keys. */
export type PermitKind = 'semaphore' | 'rwlock';

/**
 * Core's PermitStore on Redis, for semaphores and read/write locks: each grant is a member of a
 * sorted set scored by its expiry, judged by the server's clock (TIME in every script, never the
 * caller's), with its permits and fence in the resource's state hash; one script per step (acquirePermits,
 * extendPermits, releasePermits, leavePermitQueue, inspectPermits), all keys under one hash tag
 * `{<kind>:<resource>}` so it runs on a Cluster.
 *
 * Waiting is the lock's hand-off design: a caller that will wait joins the line in its first
 * attempt; whatever frees permits (a release, a departure from the line, a settling step that
 * drops expired grants) hands them straight to the waiters that now fit, in order, and tells each
 * on its backend's grant channel, so a waiter holds its permits when the message arrives. Every
 * waiter still looks again at least every 250 ms (refreshing its place) and when the first grant
 * runs out, so a lost message or a crashed holder never strands anyone; a waiter that stops
 * refreshing (crashed) is skipped once its place lapses, 1.5 s later.
 */
export class RedisPermitStore implements PermitStore {
  /** @param grants the backend's waiters and grant channel, shared with its lock stores */
  constructor(
    private readonly ctx: BackendContext,
    private readonly grants: LockGrants,
    private readonly kind: PermitKind,
  ) {}

  /** See PermitStore.tryAcquire. With `queue`, a caller that is not granted is in line after the same round trip. */
  async tryAcquire(resource: string, token: string, request: PermitRequest, queue = false): Promise<number | LockGrant | null> {
    const waiter = this.grants.waiting.get(token);
    if (waiter) return this.attempt(resource, token, request, waiter);
    // Until the backend's grant channel is subscribed, a first attempt does not queue (as for
    // locks: a backend that never waits never opens its subscriber connection).
    if (!queue || !this.grants.subscribed) {
      const reply = await this.ctx.runner.run(acquirePermits, this.keys(resource), this.args(token, request, 0, ''));
      if (reply.state === 'acquired') return reply.fence;
      if (reply.state === 'limit') throw this.limitError(resource, request, reply.limit);
      if (!queue) return null;
    }
    const entry = (channel: string): string => permitEntry(token, request.permits, request.ttlMs, request.bumpsFence, channel);
    const joined = await this.grants.join(token, request.ttlMs, entry);
    return this.attempt(resource, token, request, joined);
  }

  /** See PermitStore.extend. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    return this.ctx.runner.run(extendPermits, this.keys(resource), { token, ttlMs });
  }

  /** See PermitStore.release: the waiters that now fit are handed their permits in the same step. */
  async release(resource: string, token: string): Promise<boolean> {
    return this.ctx.runner.run(releasePermits, this.keys(resource), { token });
  }

  /** See PermitStore.waitForRelease (LockGrants.wait): sleeps until a hand-off, the first grant's expiry, 250 ms or `timeoutMs`. */
  waitForRelease(_resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void> {
    return this.grants.wait(token, timeoutMs, signal);
  }

  /**
   * See PermitStore.leaveQueue: forgets the waiter and, in the background, takes it out of line;
   * permits handed to it meanwhile are given back (and passed on).
   */
  leaveQueue(resource: string, token: string): void {
    const waiter = this.grants.waiting.get(token);
    if (!waiter) return;
    this.grants.waiting.delete(token);
    if (this.ctx.closed) return;
    this.ctx.runner.run(leavePermitQueue, this.keys(resource), { token, entry: waiter.entry }).catch((error: unknown) => {
      this.ctx.logger.debug('leaving a permit queue failed; the place expires by itself', { resource, error: String(error) });
    });
  }

  /** See PermitStore.inspect. */
  inspect(resource: string): Promise<PermitState> {
    return this.ctx.runner.run(inspectPermits, this.keys(resource), {});
  }

  private async attempt(resource: string, token: string, request: PermitRequest, waiter: Waiter): Promise<number | LockGrant | null> {
    if (waiter.grant) return this.grants.take(token, waiter.grant);
    const sentAt = this.ctx.clock.now();
    const reply = await this.ctx.runner.run(acquirePermits, this.keys(resource), this.args(token, request, PLACE_TTL_MS, this.grants.channel));
    switch (reply.state) {
      case 'held':
        return null;
      case 'acquired':
        // granted by this attempt; acquirePermits took the token out of line
        this.grants.waiting.delete(token);
        return reply.fence;
      case 'limit':
        throw this.limitError(resource, request, reply.limit);
      case 'handed':
        // handed over by an earlier step (its message is late or lost)
        return this.grants.take(token, waiter.grant ?? { fence: reply.fence, grantedAfter: waiter.since });
      case 'waiting':
        // this attempt ran before any hand-off to come, and saw the hand-off sequence as it was
        waiter.since = Math.max(waiter.since, sentAt);
        waiter.minSeq = Math.max(waiter.minSeq, reply.seq);
        waiter.pttl = reply.wakeInMs;
        return waiter.grant ? this.grants.take(token, waiter.grant) : null;
    }
  }

  private args(token: string, request: PermitRequest, placeMs: number, grantChannel: string) {
    const { permits, limit, ttlMs } = request;
    return { token, permits, limit, ttlMs, bump: request.bumpsFence ? 1 : 0, placeMs, grantChannel };
  }

  private limitError(resource: string, request: PermitRequest, inForce: number): SemaphoreLimitError {
    return new SemaphoreLimitError(resource, request.limit, inForce);
  }

  private keys(resource: string): PermitKeys {
    return this.ctx.keys.permits(this.kind, resource);
  }
}
