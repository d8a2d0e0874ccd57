import { ClosedError, setClockTimeout } from '@baton/core';
import { newToken, type LockGrant } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';

/** Longest a waiter sleeps without looking at the lock again (ms): covers lost messages and expiries. */
const FALLBACK_MS = 250;

/**
 * A lock waiter's entry in the lock's waiter list and deadlines zset: "<token> <ttl ms> <grant
 * channel>" (prelude.lua waiter_entry builds the same text, and hand_over reads it).
 */
export function waiterEntry(token: string, ttlMs: number, channel: string): string {
  return `${token} ${ttlMs} ${channel}`;
}

/**
 * A permits waiter's entry: "<token> <permits> <ttl ms> <bump: 1 increments the fence, 0 reads
 * it> <grant channel>" (prelude.lua permit_entry builds the same text, and settle_permits reads it).
 */
export function permitEntry(token: string, permits: number, ttlMs: number, bumpsFence: boolean, channel: string): string {
  return `${token} ${permits} ${ttlMs} ${bumpsFence ? 1 : 0} ${channel}`;
}

/**
 * Reads a grant message (prelude.lua grant_message): "<token> <fence>" from a lock's hand-off,
 * "<token> <fence> <seq>" from a permits hand-off, seq counting that resource's hand-offs.
 */
export function decodeGrant(message: string): { token: string; fence: number; seq: number | undefined } {
  const [token = '', fence, seq] = message.split(' ');
  return { token, fence: Number(fence), seq: seq === undefined ? undefined : Number(seq) };
}

/** One waiting acquire of a backend (lock, semaphore or read/write lock): its place in line and what it has heard. */
export interface Waiter {
  /** Its entry in the waiter list: see waiterEntry for a lock, permitEntry for permits. */
  entry: string;
  /** The TTL it asked for (ms): a hand-off gives it the lock for this long. */
  ttlMs: number;
  /**
   * Send time (caller's clock, ms) of the latest request known to have run before any hand-off
   * to this waiter: the first request that queued it, then each one answered "still waiting".
   */
  since: number;
  /**
   * The hand-off counter seen by the latest "still waiting" answer: a grant at or below it is
   * stale. For a lock it is the fence counter; for permits the resource's hand-off sequence
   * (read locks share fences, so their fence cannot tell an old grant from a new one).
   */
  minSeq: number;
  /** How long until the holder's TTL runs out, from the latest "still waiting" answer (ms; -1 without expiry). */
  pttl: number | undefined;
  /** Set by the grant message addressed to this waiter. */
  grant: LockGrant | undefined;
  /** Ends the current sleep, if any. */
  wake: () => void;
}

/**
 * The lock, semaphore and read/write-lock waiters of one backend and the channel their grants
 * arrive on. One channel per backend (not per resource): a release tells exactly one connection,
 * the one of the waiter it handed the lock to, however many others wait. Subscribed on the first wait, kept until the
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

  /**
   * Registers `token` as a waiter whose entry `entry(channel)` builds; resolves once the grant
   * channel is subscribed. That must come before the first attempt that may queue: a hand-off can
   * follow that attempt at once, and its message may even arrive before the attempt's reply.
   */
  async join(token: string, ttlMs: number, entry: (channel: string) => string): Promise<Waiter> {
    const subscribing = this.ready();
    if (subscribing) await subscribing;
    const waiter: Waiter = {
      entry: entry(this.channel),
      ttlMs,
      since: this.ctx.clock.now(),
      minSeq: 0,
      pttl: undefined,
      grant: undefined,
      wake: () => undefined,
    };
    this.waiting.set(token, waiter);
    return waiter;
  }

  /** Forgets `token` as a waiter and returns `grant` (the caller now holds it). */
  take(token: string, grant: LockGrant): LockGrant {
    this.waiting.delete(token);
    return grant;
  }

  /**
   * Sleeps until a hand-off to `token` arrives (resolves the grant), the holder's expiry, 250 ms
   * or `timeoutMs`. A caller not in line just sleeps. Rejects with the signal's reason on abort
   * and with ClosedError when the backend closes.
   */
  async wait(token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void> {
    if (signal.aborted) throw signal.reason;
    this.ctx.assertOpen();
    const waiter = this.waiting.get(token);
    if (waiter?.grant) return this.take(token, waiter.grant);
    const pttl = waiter?.pttl ?? -1;
    if (waiter) waiter.pttl = undefined;
    // A waiter also looks again within half its own TTL: a hand-off's deadline counts from the last
    // look, so a lock handed over just before the next look still has half its TTL left locally.
    const sleep = Math.max(1, Math.min(timeoutMs, FALLBACK_MS, pttl > 0 ? pttl + 1 : FALLBACK_MS, waiter ? Math.floor(waiter.ttlMs / 2) : FALLBACK_MS));
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    if (waiter) waiter.wake = wake;
    const cancelTimer = setClockTimeout(this.ctx.clock, sleep, wake);
    const cancelClose = this.ctx.onClose(wake);
    signal.addEventListener('abort', wake, { once: true });
    try {
      await woken;
    } finally {
      if (waiter) waiter.wake = () => undefined;
      cancelTimer();
      cancelClose();
      signal.removeEventListener('abort', wake);
    }
    // a grant that arrives now is passed on by the store's leaveQueue
    if (signal.aborted) throw signal.reason;
    if (this.ctx.closed) throw new ClosedError('redis backend');
    if (waiter?.grant) return this.take(token, waiter.grant);
  }

  // The grant is the waiter's already; wake it unless the message is stale (a lock's fence or a
  // permits hand-off's seq at or below what the waiter last saw).
  private onGrant(message: string): void {
    const { token, fence, seq } = decodeGrant(message);
    const waiter = this.waiting.get(token);
    if (!waiter || waiter.grant || !((seq ?? fence) > waiter.minSeq)) return;
    waiter.grant = { fence, grantedAfter: waiter.since };
    waiter.wake();
  }
}
