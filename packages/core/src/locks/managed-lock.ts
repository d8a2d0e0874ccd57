import { setClockTimeout, type Clock } from '../clock/index.js';
import { LockLostError, type LockKind } from '../errors/index.js';
import type { LockHandle } from '../interfaces/index.js';
import type { Logger } from '../interfaces/logger.js';
import { assertPositiveInt } from '../validation/index.js';
import type { LockStore } from './lock-store.js';

/** The steps a held handle takes on its store: those of a LockStore or a PermitStore. */
export type HeldStore = Pick<LockStore, 'extend' | 'release' | 'clockDriftMs'>;

/** Everything a handle needs from its manager. */
export interface LockContext {
  store: HeldStore;
  clock: Clock;
  logger: Logger;
  /** Registers a callback for when the backend closes; returns its canceller. */
  onClose?: (fn: () => void) => () => void;
  /** What the handle holds, as its LockLostError names it. @default 'lock' */
  kind?: LockKind;
}

// A shared no-op, so a handle's timer slots cost no closure of their own.
const NOOP = (): void => undefined;

/**
 * A held lock. Its local deadline is counted from when the acquire or extend request was sent,
 * so it runs out no later than the stored TTL; at that deadline the signal aborts, so a paused
 * holder learns of the loss before anyone else can have taken the lock.
 *
 * The signal and its expiry timer are made when the signal is first read: most handles are
 * released without anyone watching them, and the AbortController and timer of each one showed in
 * profiles of lock cycles. Until then every step that depends on the lock checks the deadline
 * itself, so a loss is seen the same: `extend` refuses past the deadline, and a signal first read
 * after it is already aborted.
 */
export class ManagedLock implements LockHandle {
  private controller: AbortController | undefined;
  private lost: LockLostError | undefined;
  private deadline: number;
  private cancelExpiry = NOOP;
  private cancelRenewal = NOOP;
  private cancelCloseWatch = NOOP;
  private released = false;

  constructor(
    private readonly ctx: LockContext,
    readonly resource: string,
    readonly token: string,
    readonly fence: number,
    private readonly ttlMs: number,
    requestedAt: number,
    autoExtend: boolean,
  ) {
    this.deadline = requestedAt + ttlMs - (ctx.store.clockDriftMs?.(ttlMs) ?? 0);
    if (autoExtend) this.scheduleRenewal();
    // A closed backend can no longer extend or release: the holder must stop trusting the lock now.
    if (ctx.onClose) this.cancelCloseWatch = ctx.onClose(() => this.lose('its backend was closed'));
  }

  /** Aborts when the lock is known to be lost; the reason is a LockLostError. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.lost) this.controller.abort(this.lost);
      else if (!this.released && !this.expired()) this.armExpiry();
    }
    return this.controller.signal;
  }

  /** Extends the lock to `ttlMs` from now if it is still ours; false (and the signal aborts) when not. */
  async extend(ttlMs: number = this.ttlMs): Promise<boolean> {
    assertPositiveInt('ttlMs', ttlMs);
    if (this.released || this.expired()) return false;
    const requestedAt = this.ctx.clock.now();
    const ok = await this.ctx.store.extend(this.resource, this.token, ttlMs);
    if (this.released || this.expired()) return false;
    if (!ok) {
      this.lose('another holder has it or it expired');
      return false;
    }
    this.deadline = requestedAt + ttlMs - (this.ctx.store.clockDriftMs?.(ttlMs) ?? 0);
    if (this.controller) this.armExpiry();
    return true;
  }

  /** Releases the lock if it is still ours; false when it was not (or was released already). */
  async release(): Promise<boolean> {
    if (this.released) return false;
    this.released = true;
    this.stopTimers();
    return this.ctx.store.release(this.resource, this.token);
  }

  /** Releases the lock (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  /** Marks the lock lost: aborts the signal and stops timers. The first reason stays. */
  lose(reason: string, cause?: unknown): void {
    this.stopTimers();
    if (this.lost) return;
    this.lost = new LockLostError(this.resource, reason, { cause, kind: this.ctx.kind });
    this.controller?.abort(this.lost);
  }

  // True when the lock is lost, or its local deadline passed (it is then marked lost).
  private expired(): boolean {
    if (this.lost) return true;
    if (this.ctx.clock.now() < this.deadline) return false;
    this.lose('its TTL ran out before it was extended');
    return true;
  }

  private armExpiry(): void {
    this.cancelExpiry();
    this.cancelExpiry = setClockTimeout(this.ctx.clock, this.deadline - this.ctx.clock.now(), () => {
      this.lose(`its TTL ran out before it was extended`);
    });
  }

  // Renew at a third of the TTL so two attempts fit before the lock can run out.
  private scheduleRenewal(): void {
    this.cancelRenewal = setClockTimeout(this.ctx.clock, Math.max(1, Math.floor(this.ttlMs / 3)), () => {
      this.extend().then(
        (ok) => {
          if (ok) this.scheduleRenewal();
        },
        (error: unknown) => {
          // A failed round trip is not a loss yet: the deadline decides that.
          this.ctx.logger.warn('lock extension failed; retrying', { resource: this.resource, error: String(error) });
          if (!this.released && !this.expired()) this.scheduleRenewal();
        },
      );
    });
  }

  private stopTimers(): void {
    this.cancelExpiry();
    this.cancelRenewal();
    this.cancelCloseWatch();
  }
}
