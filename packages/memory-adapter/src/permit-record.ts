import { SemaphoreLimitError } from '@baton/core';
import type { LockGrant, PermitRequest, PermitState } from '@baton/core/adapter';

/** A live grant, by token. */
interface Hold {
  permits: number;
  fence: number;
  /** Clock time (ms) at which it runs out unless extended. */
  expiresAt: number;
}

/** A caller in line. */
interface PermitWaiter {
  token: string;
  permits: number;
  ttlMs: number;
  bumpsFence: boolean;
  /** Set while the caller is blocked in a wait: called once its permits were handed to it. */
  wake?: () => void;
}

/**
 * The state of one semaphore or read/write-lock resource on a MemoryStore, shared by every
 * backend on the store; each method is one synchronous step at clock time `now`. Grants run out
 * at their expiry; waiters are served strictly in order of arrival, weighted (the first in line
 * is granted as soon as its permits fit, and nobody passes it). Every step first settles: drops
 * grants that ran out and hands permits to the waiters that now fit, so a release, an expiry or
 * a departure from the line grants the next ones at once (a hand-off, no retry by the waiter).
 */
export class PermitRecord {
  /** The limit of the live grants and waiters (meaningless while there are none). */
  private limit = 0;
  /** The fence counter; only ever grows. */
  private fence = 0;
  /** Permits held by the grants in `holders` (some may have run out but not been dropped yet). */
  private used = 0;
  /** Grants in order of acquisition. */
  private readonly holders = new Map<string, Hold>();
  private readonly waiters: PermitWaiter[] = [];
  /** Permits handed to waiters that have not picked them up yet. */
  private readonly handed = new Map<string, LockGrant>();
  /** No grant runs out before this clock time (ms): settle skips the scan of holders until then. */
  private nextExpiry = Infinity;

  constructor(private readonly resource: string) {}

  /**
   * See PermitStore.tryAcquire: picks up permits handed to `token`, else grants them when nobody
   * waits and they fit, else (with `queue`) puts `token` in line. Throws SemaphoreLimitError when
   * the limit in force differs.
   */
  tryAcquire(token: string, request: PermitRequest, queue: boolean, now: number): number | LockGrant | null {
    this.settle(now);
    const handed = this.take(token);
    if (handed) return handed;
    const inForce = this.holders.size > 0 || this.waiters.length > 0;
    if (inForce && this.limit !== request.limit) throw new SemaphoreLimitError(this.resource, request.limit, this.limit);
    this.limit = request.limit;
    if (this.waiters.length === 0 && this.used + request.permits <= this.limit) {
      return this.grant(token, request.permits, request.ttlMs, request.bumpsFence, now);
    }
    if (queue && !this.waiters.some((w) => w.token === token)) {
      this.waiters.push({ token, permits: request.permits, ttlMs: request.ttlMs, bumpsFence: request.bumpsFence });
    }
    return null;
  }

  /** See PermitStore.extend. */
  extend(token: string, ttlMs: number, now: number): boolean {
    const hold = this.holders.get(token);
    if (!hold || hold.expiresAt <= now) return false;
    hold.expiresAt = now + ttlMs;
    return true;
  }

  /** See PermitStore.release. */
  release(token: string, now: number): boolean {
    const hold = this.holders.get(token);
    const live = hold !== undefined && hold.expiresAt > now;
    if (hold) this.drop(token, hold);
    this.settle(now);
    return live;
  }

  /** Takes `token` out of line; permits handed to it and not picked up go to the next waiters. */
  leave(token: string, now: number): void {
    const index = this.waiters.findIndex((w) => w.token === token);
    if (index >= 0) this.waiters.splice(index, 1);
    if (this.take(token)) {
      const hold = this.holders.get(token);
      if (hold) this.drop(token, hold);
    }
    this.settle(now);
  }

  /** Permits handed to `token` and not picked up yet, which it now takes; undefined if none. */
  take(token: string): LockGrant | undefined {
    const grant = this.handed.get(token);
    if (grant) this.handed.delete(token);
    return grant;
  }

  /** Sets (or, with undefined, clears) the callback of `token`'s blocked wait; false when `token` is not in line. */
  onGranted(token: string, wake: (() => void) | undefined): boolean {
    const waiter = this.waiters.find((w) => w.token === token);
    if (waiter) waiter.wake = wake;
    return waiter !== undefined;
  }

  /** When the first live grant runs out, if someone waits for it to (ms); undefined otherwise. */
  wakeAt(): number | undefined {
    if (this.waiters.length === 0 || this.holders.size === 0) return undefined;
    let earliest = Infinity;
    for (const hold of this.holders.values()) earliest = Math.min(earliest, hold.expiresAt);
    return earliest;
  }

  /** Live grants and waiters at `now`; changes nothing. */
  inspect(now: number): PermitState {
    const holders = [...this.holders.values()]
      .filter((h) => h.expiresAt > now)
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .map((h) => ({ permits: h.permits, fence: h.fence, expiresInMs: h.expiresAt - now }));
    const waiters = this.waiters.map((w) => ({ permits: w.permits }));
    return { limit: holders.length > 0 || waiters.length > 0 ? this.limit : null, holders, waiters };
  }

  /** Drops grants that ran out, then grants waiters in order while the first one fits. */
  settle(now: number): void {
    if (now >= this.nextExpiry) {
      this.nextExpiry = Infinity;
      for (const [token, hold] of this.holders) {
        if (hold.expiresAt <= now) this.drop(token, hold);
        else this.nextExpiry = Math.min(this.nextExpiry, hold.expiresAt);
      }
    }
    while (this.waiters.length > 0 && this.used + this.waiters[0]!.permits <= this.limit) {
      const waiter = this.waiters.shift()!;
      const fence = this.grant(waiter.token, waiter.permits, waiter.ttlMs, waiter.bumpsFence, now);
      this.handed.set(waiter.token, { fence, grantedAfter: now });
      waiter.wake?.();
    }
  }

  private grant(token: string, permits: number, ttlMs: number, bumpsFence: boolean, now: number): number {
    if (bumpsFence) this.fence++;
    const expiresAt = now + ttlMs;
    this.holders.set(token, { permits, fence: this.fence, expiresAt });
    this.used += permits;
    this.nextExpiry = Math.min(this.nextExpiry, expiresAt);
    return this.fence;
  }

  private drop(token: string, hold: Hold): void {
    this.holders.delete(token);
    this.used -= hold.permits;
  }
}
