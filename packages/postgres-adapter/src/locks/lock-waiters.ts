import { ClosedError, setClockTimeout } from '@baton/core';
import { newToken, type LockGrant } from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';

/** One waiting acquire of a backend: what it learnt from its latest look at the lock. */
export interface Waiter {
  /** The TTL it asked for (ms). */
  ttlMs: number;
  /** Send time (caller's clock, ms) of the latest attempt that found it in line: any hand-off came later. */
  since: number;
  /**
   * Upper bound (ms) of database clock minus caller's clock, from that attempt: its database time
   * + 1 minus its send time. A grant stamped with database time G began no earlier than G - offset
   * on the caller's clock.
   */
  offsetMs: number;
  /** The hand-off counter seen by that attempt (a lock's fence, a permit resource's seq): a grant at or below it is stale. */
  minSeq: number;
  /** The holder's remaining TTL in that attempt (ms), or undefined. */
  pttl: number | undefined;
  /** Set by the grant notification addressed to this waiter. */
  grant: LockGrant | undefined;
  /** Ends the current sleep, if any. */
  wake: () => void;
}

/**
 * The lock, semaphore and read/write-lock waiters of one backend and the channel their grants arrive on: one channel per backend,
 * so a release wakes exactly the process of the waiter it handed the lock to. LISTENed on the
 * first wait and kept. After the LISTEN connection comes back, every waiter is woken to look
 * again (a grant may have been missed, and its place in line names the old session).
 */
export class LockWaiters {
  /** Waiters by token (tokens are unique). */
  readonly waiting = new Map<string, Waiter>();
  /** This backend's grant channel. */
  readonly channel = `baton_g_${newToken().slice(0, 24)}`;
  private subscribing: Promise<unknown> | undefined;
  private listened = false;

  constructor(private readonly ctx: PgContext) {
    ctx.onClose(
      ctx.listener.onReconnect(() => {
        for (const waiter of this.waiting.values()) waiter.wake();
      }),
    );
  }

  /** True once the grant channel is LISTENed. */
  get listening(): boolean {
    return this.listened;
  }

  /** Resolves once the grant channel is LISTENed (undefined, at once, after the first time). */
  ready(): Promise<unknown> | undefined {
    if (this.listened) return undefined;
    this.subscribing ??= this.ctx.listener
      .listen(this.channel, (payload) => this.onGrant(payload))
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
   * Sleeps until the lock or permits are handed to `token` (resolves the grant), the first holder's
   * expiry as its latest attempt saw it, `timeoutMs`, or a reconnect of the LISTEN connection
   * (resolves nothing: look again). Rejects with ClosedError when the backend closes, and with the
   * signal's reason when it aborts (a grant arriving after that is passed on by leaving the line).
   */
  async wait(token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void> {
    if (signal.aborted) throw signal.reason;
    this.ctx.assertOpen();
    const waiter = this.waiting.get(token);
    if (waiter?.grant) return this.take(token, waiter.grant);
    const pttl = waiter?.pttl;
    const sleep = Math.max(1, Math.min(timeoutMs, pttl !== undefined && pttl > 0 ? pttl + 1 : UNKNOWN_TTL_SLEEP_MS));
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
    if (signal.aborted) throw signal.reason;
    if (this.ctx.closed) throw new ClosedError('postgres backend');
    if (waiter?.grant) return this.take(token, waiter.grant);
  }

  /** Forgets `token` as a waiter (it holds `grant` now) and returns the grant. */
  take(token: string, grant: LockGrant): LockGrant {
    this.waiting.delete(token);
    return grant;
  }

  /** A new waiter for `token` asking for `ttlMs`, in line from now. */
  join(token: string, ttlMs: number): Waiter {
    const waiter: Waiter = { ttlMs, since: this.ctx.clock.now(), offsetMs: 0, minSeq: 0, pttl: undefined, grant: undefined, wake: () => undefined };
    this.waiting.set(token, waiter);
    return waiter;
  }

  // "<token> <fence> <granted at, database ms> [<seq>]": the lock (or the permits) are the
  // waiter's already. A lock's hand-offs are counted by its fence, a permit resource's by seq.
  private onGrant(payload: string): void {
    const [token, fenceText, grantedText, seqText] = payload.split(' ');
    const waiter = this.waiting.get(token ?? '');
    const fence = Number(fenceText);
    const seq = seqText === undefined ? fence : Number(seqText);
    if (!waiter || waiter.grant || !(seq > waiter.minSeq)) return;
    waiter.grant = { fence, grantedAfter: grantedAfter(waiter, Number(grantedText)) };
    waiter.wake();
  }
}

/** Longest sleep of a waiter that knows nothing about the holder's TTL (ms). */
const UNKNOWN_TTL_SLEEP_MS = 250;

/** The earliest caller-clock time the grant stamped `grantedAtDb` (database ms) can have started. */
export function grantedAfter(waiter: Waiter, grantedAtDb: number): number {
  if (!Number.isFinite(grantedAtDb)) return waiter.since;
  return Math.max(waiter.since, grantedAtDb - waiter.offsetMs);
}
