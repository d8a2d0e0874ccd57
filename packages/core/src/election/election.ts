import { SystemClock, setClockTimeout, type Clock } from '../clock/index.js';
import { ClosedError, isBatonError, LockLostError } from '../errors/index.js';
import type { LockHandle, LockManager } from '../interfaces/index.js';
import { silentLogger, type Logger } from '../interfaces/logger.js';
import { assertName, assertOptionsObject, positiveIntOr } from '../validation/index.js';

/** Options of `elect()`. */
export interface ElectionOptions {
  /** TTL (ms) of the leadership lock; a dead leader is replaced within about this long. Renewed every ttl/3. @default 10_000 */
  ttlMs?: number;
  /** The clock the lock manager uses. @default new SystemClock() */
  clock?: Clock;
  /** Pause (ms) before campaigning again after a backend error. @default 1_000 */
  retryDelayMs?: number;
  /** Where failed renewals and campaign errors are logged. @default silentLogger */
  logger?: Logger;
}

/** Election defaults (ms). */
export const ELECTION_DEFAULTS = { ttlMs: 10_000, retryDelayMs: 1_000 } as const;

/** A node's part in the election of one leader among everyone electing the same name. */
export interface Election extends AsyncDisposable {
  readonly name: string;
  /** True while this node leads: it holds the lock and its local deadline has not passed. */
  readonly isLeader: boolean;
  /**
   * The current term's signal; aborts (reason: LockLostError) when leadership is lost or resigned,
   * no later than the lock's expiry. While not leading it is an already-aborted signal.
   */
  readonly signal: AbortSignal;
  /** The current term's fencing number (grows with every term of this name); null while not leading. */
  readonly fence: number | null;
  /** Resolves with the term's signal once this node leads (at once if it does). Rejects with ClosedError after `resign()` or once the backend is closed. */
  whenLeader(): Promise<AbortSignal>;
  /**
   * Stops campaigning, ends the term if leading (the signal aborts) and releases the lock.
   * A campaign waiting for the lock gives up at once (no timer has to run out); resolves once the
   * campaign has ended and left nothing behind. Idempotent.
   */
  resign(): Promise<void>;
}

interface Term {
  lock: LockHandle;
  controller: AbortController;
  /** Local deadline (ms): counted from when the last successful acquire/extend was requested. */
  deadline: number;
  cancelRenewal: () => void;
  ended: () => void;
}

/**
 * Campaigns for leadership of `name` on `locks` until resigned: whoever holds the lock
 * `election:<name>` leads. A leader renews the lock every ttl/3 and loses its term (the signal
 * aborts) when a renewal is refused or the lock's local deadline passes, which is never later than
 * the stored expiry; `isLeader`, `signal` and `fence` also check the deadline whenever they are
 * read, so a leader whose process was paused past its TTL sees the loss before it can act on
 * its old term, even if its timers have not run yet. After losing, it campaigns again.
 * Throws InvalidArgumentError for a bad name or TTL.
 */
export function elect(locks: LockManager, name: string, options: ElectionOptions = {}): Election {
  return new LockElection(locks, name, options);
}

class LockElection implements Election {
  private term: Term | undefined;
  private resigned = false;
  /** Set when campaigning ended for good (resigned, or the backend closed): whenLeader rejects with it. */
  private finalError: unknown;
  private waiters: Array<{ resolve: (signal: AbortSignal) => void; reject: (error: unknown) => void }> = [];
  private readonly stopCampaign = new AbortController();
  private readonly resource: string;
  private readonly ttlMs: number;
  private readonly retryDelayMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly idle: AbortSignal;
  private readonly campaigning: Promise<void>;

  constructor(
    private readonly locks: LockManager,
    readonly name: string,
    options: ElectionOptions,
  ) {
    assertName('name', name);
    assertOptionsObject('options', options);
    this.resource = `election:${name}`;
    this.ttlMs = positiveIntOr('options.ttlMs', options.ttlMs, ELECTION_DEFAULTS.ttlMs);
    this.retryDelayMs = positiveIntOr('options.retryDelayMs', options.retryDelayMs, ELECTION_DEFAULTS.retryDelayMs);
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? silentLogger;
    this.idle = AbortSignal.abort(new LockLostError(this.resource, 'this node is not the leader'));
    this.campaigning = this.campaign().catch((error: unknown) =>
      this.logger.warn('election campaign ended with an error', { election: this.name, error: String(error) }),
    );
  }

  get isLeader(): boolean {
    return this.current() !== undefined;
  }

  get signal(): AbortSignal {
    return this.current()?.controller.signal ?? this.idle;
  }

  get fence(): number | null {
    return this.current()?.lock.fence ?? null;
  }

  whenLeader(): Promise<AbortSignal> {
    if (this.finalError !== undefined) return Promise.reject(this.finalError);
    const term = this.current();
    if (term) return Promise.resolve(term.controller.signal);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async resign(): Promise<void> {
    if (this.resigned) return;
    this.resigned = true;
    this.stopCampaign.abort(new ClosedError(`Election "${this.name}"`));
    const term = this.term;
    if (term) await this.endTerm(term, new LockLostError(this.resource, 'this node resigned'));
    this.endCampaign(new ClosedError(`Election "${this.name}"`));
    await this.campaigning;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.resign();
  }

  private endCampaign(error: unknown): void {
    this.finalError ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.finalError);
  }

  private current(): Term | undefined {
    const term = this.term;
    if (!term) return undefined;
    if (this.clock.now() >= term.deadline) {
      void this.endTerm(term, new LockLostError(this.resource, 'its TTL ran out before it was extended'));
      return undefined;
    }
    return term;
  }

  private async campaign(): Promise<void> {
    while (!this.resigned) {
      let lock: LockHandle | undefined;
      let requestedAt: number;
      try {
        lock = await this.locks.acquire(this.resource, { ttlMs: this.ttlMs, waitMs: this.ttlMs, signal: this.stopCampaign.signal });
        if (this.resigned) {
          await lock.release();
          return;
        }
        // The acquire may have waited; an extension right away gives a deadline measured from a known moment.
        requestedAt = this.clock.now();
        if (!(await lock.extend(this.ttlMs))) continue;
      } catch (error) {
        // Held but not confirmed (the extension failed in transit): free it for the next campaign.
        await lock?.release().catch(() => false);
        if (this.resigned) return;
        if (isBatonError(error, 'LOCK_TIMEOUT')) continue;
        if (isBatonError(error, 'CLOSED')) {
          this.endCampaign(error);
          return;
        }
        this.logger.warn('election campaign failed; retrying', { election: this.name, error: String(error) });
        await this.clock.sleep(this.retryDelayMs, this.stopCampaign.signal).catch(() => undefined);
        continue;
      }
      if (this.resigned) {
        await lock.release().catch(() => false);
        return;
      }
      await this.serve(lock!, requestedAt!);
    }
  }

  // Leads until the term ends; resolves then.
  private serve(lock: LockHandle, requestedAt: number): Promise<void> {
    return new Promise((ended) => {
      const term: Term = { lock, controller: new AbortController(), deadline: requestedAt + this.ttlMs, cancelRenewal: () => undefined, ended };
      this.term = term;
      lock.signal.addEventListener('abort', () => void this.endTerm(term, lock.signal.reason), { once: true });
      this.scheduleRenewal(term);
      for (const waiter of this.waiters.splice(0)) waiter.resolve(term.controller.signal);
    });
  }

  private scheduleRenewal(term: Term): void {
    term.cancelRenewal = setClockTimeout(this.clock, Math.max(1, Math.floor(this.ttlMs / 3)), () => {
      if (this.term !== term || this.current() !== term) return;
      const requestedAt = this.clock.now();
      term.lock.extend(this.ttlMs).then(
        (ok) => {
          if (this.term !== term) return;
          if (!ok) return void this.endTerm(term, new LockLostError(this.resource, 'another holder has it or it expired'));
          term.deadline = requestedAt + this.ttlMs;
          this.scheduleRenewal(term);
        },
        (error: unknown) => {
          // Not lost yet: the deadline decides that; try again at the next renewal.
          this.logger.warn('leadership renewal failed; retrying', { election: this.name, error: String(error) });
          if (this.term === term) this.scheduleRenewal(term);
        },
      );
    });
  }

  private async endTerm(term: Term, reason: unknown): Promise<void> {
    if (this.term !== term) return;
    this.term = undefined;
    term.cancelRenewal();
    term.controller.abort(reason);
    term.ended();
    await term.lock.release().catch(() => false);
  }
}
