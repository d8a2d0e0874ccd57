import { ClosedError, setClockTimeout, type LockStore } from '@baton/core';
import type { BackendContext } from '../backend-context.js';
import type { LockKeys } from '../key-layout.js';
import { heldReply } from '../reply-codes.js';

/** Longest a waiter sleeps without looking at the lock again (ms): covers lost messages and expiries. */
const FALLBACK_MS = 250;
/** How long a waiter's place in line lasts without a refresh (ms); a crashed waiter blocks others at most this long. */
const PLACE_TTL_MS = 1_500;

/**
 * The LockStore on Redis. The lock key holds the owner's token as a plain string with a PX TTL,
 * so a client following the recipe (GET, compare, DEL) interoperates. Acquisition is one script
 * (`SET NX PX` + `INCR` of the fence counter, honouring a waiter queue so waiters are served in
 * order of arrival); release and extend compare the token first. Waiters are woken by a release
 * message on pub/sub and look again at least every 250 ms, so a lost message, a recipe client's
 * DEL or an expiry never strands them.
 */
export class RedisLockStore implements LockStore {
  /** Waiters of this store that entered a waiter queue (resource + NUL + token), so leaveQueue costs nothing otherwise. */
  private readonly queued = new Set<string>();

  constructor(
    private readonly ctx: BackendContext,
    private readonly bound?: (resource: string) => string,
  ) {}

  /** See LockStore.tryAcquire. */
  async tryAcquire(resource: string, token: string, ttlMs: number): Promise<number | null> {
    const k = this.keys(resource);
    const reply = await this.ctx.runner.run('acquireLock', [k.lock, k.fence, k.waiters, k.waiterDeadlines], [token, ttlMs, this.ctx.clock.now()]);
    if (reply === null || reply === undefined || reply === false) return null;
    // acquireLock took the token out of the waiter queue
    this.queued.delete(`${resource}\0${token}`);
    return Number(reply);
  }

  /** See LockStore.extend. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    return heldReply(await this.ctx.runner.run('extendLock', [this.keys(resource).lock], [token, ttlMs]));
  }

  /** See LockStore.release. */
  async release(resource: string, token: string): Promise<boolean> {
    const k = this.keys(resource);
    return heldReply(await this.ctx.runner.run('releaseLock', [k.lock], [token, k.released]));
  }

  /**
   * See LockStore.waitForRelease: joins the waiter queue, then sleeps until a release message, the
   * lock's expiry, 250 ms or `timeoutMs`. Rejects with ClosedError when the backend closes.
   */
  async waitForRelease(resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw signal.reason;
    this.ctx.assertOpen();
    const k = this.keys(resource);
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const unsubscribe = await this.ctx.subscriptions.subscribe(k.released, () => wake());
    const cancelClose = this.ctx.onClose(() => wake());
    this.queued.add(`${resource}\0${token}`);
    try {
      const reply = (await this.ctx.runner.run('enterLockQueue', [k.lock, k.waiters, k.waiterDeadlines], [token, this.ctx.clock.now() + PLACE_TTL_MS])) as number[];
      const [pttl, first] = reply.map(Number);
      if (pttl === -2 && first === 1) return;
      const sleep = Math.max(1, Math.min(timeoutMs, FALLBACK_MS, pttl! > 0 ? pttl! + 1 : FALLBACK_MS));
      const cancelTimer = setClockTimeout(this.ctx.clock, sleep, () => wake());
      const onAbort = (): void => wake();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await woken;
      } finally {
        cancelTimer();
        signal.removeEventListener('abort', onAbort);
      }
      if (signal.aborted) throw signal.reason;
      this.ctx.assertOpen();
    } finally {
      cancelClose();
      unsubscribe();
    }
  }

  /** See LockStore.leaveQueue: removes the token from the waiter queue in the background. */
  leaveQueue(resource: string, token: string): void {
    if (!this.queued.delete(`${resource}\0${token}`) || this.ctx.closed) return;
    const k = this.keys(resource);
    this.ctx.runner.run('leaveLockQueue', [k.waiters, k.waiterDeadlines], [token, k.released]).catch((error: unknown) => {
      this.ctx.logger.debug('leaving a lock queue failed; the place expires by itself', { resource, error: String(error) });
    });
  }

  private keys(resource: string): LockKeys {
    return this.ctx.keys.lock(resource, this.bound);
  }
}
