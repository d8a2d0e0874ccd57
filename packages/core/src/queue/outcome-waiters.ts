import { setClockTimeout, type Clock } from '../clock/index.js';
import { ClosedError, WaitTimeoutError } from '../errors/index.js';
import type { QueueEvent, QueueEventType, TaskOutcome } from '../interfaces/index.js';
import type { QueueStore, QueueSubscription } from './queue-store.js';

/** The store methods waiting needs. */
export type OutcomeSource = Required<Pick<QueueStore, 'outcome' | 'watch'>>;

/** Checks or work to do once the wait is subscribed; resolves whether the outcome must be looked up. */
export type BeforeCheck = () => Promise<boolean>;

interface Wait {
  readonly id: string;
  settle(result: { outcome: TaskOutcome } | { error: unknown }): void;
}

/** What a waiter hears: the events that end a task (and `reconnected`, which always comes). */
const OUTCOME_TYPES: ReadonlySet<QueueEventType> = new Set<QueueEventType>(['completed', 'dead', 'cancelled']);

/** The outcome an event announces, or undefined for events that end nothing. */
function outcomeOf(event: QueueEvent): TaskOutcome | undefined {
  if (event.type === 'completed') return { state: 'finished', result: event.result };
  if (event.type === 'dead') return { state: 'dead', error: event.error };
  if (event.type === 'cancelled') return { state: 'cancelled', reason: event.reason };
  return undefined;
}

/**
 * Every `waitFor` of one queue handle, over one store subscription that lives while any wait is
 * pending: a wait subscribes first, then looks the outcome up (so an outcome that happened before
 * is found and one that happens meanwhile is heard), then waits for the event that ends its id.
 * After a `reconnected` event every pending wait looks its outcome up again, since the events of
 * the gap are lost.
 */
export class OutcomeWaiters {
  private readonly waits = new Map<string, Set<Wait>>();
  private subscription: QueueSubscription | undefined;

  constructor(
    private readonly source: OutcomeSource,
    private readonly clock: Clock,
    private readonly onClose: ((fn: () => void) => () => void) | undefined,
  ) {}

  /**
   * Resolves the outcome of `id`. `before` runs once the subscription is ready (enqueueAndWait's
   * enqueue) and says whether to look the outcome up; without it the outcome is looked up.
   * `timeoutMs` undefined: no limit; 0: one look-up.
   */
  wait(id: string, timeoutMs: number | undefined, signal: AbortSignal | undefined, before?: BeforeCheck): Promise<TaskOutcome> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<TaskOutcome>((resolve, reject) => {
      let done = false;
      let cancelTimer: () => void = () => undefined;
      let untrack: () => void = () => undefined;
      const onAbort = (): void => wait.settle({ error: signal!.reason });
      const wait: Wait = {
        id,
        settle: (result) => {
          if (done) return;
          done = true;
          cancelTimer();
          untrack();
          signal?.removeEventListener('abort', onAbort);
          this.remove(wait);
          if ('outcome' in result) resolve(result.outcome);
          else reject(result.error);
        },
      };
      this.add(wait);
      if (timeoutMs !== undefined && timeoutMs > 0) {
        cancelTimer = setClockTimeout(this.clock, timeoutMs, () => wait.settle({ error: new WaitTimeoutError(id, timeoutMs) }));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.onClose) untrack = this.onClose(() => wait.settle({ error: new ClosedError('the backend') }));
      const ready = this.subscription!.ready;
      void (async () => {
        await ready;
        if (done) return;
        const look = before ? await before() : true;
        if (look && !done) await this.check(wait);
        if (timeoutMs === 0) wait.settle({ error: new WaitTimeoutError(id, 0) });
      })().catch((error: unknown) => wait.settle({ error }));
    });
  }

  private async check(wait: Wait): Promise<void> {
    const outcome = await this.source.outcome(wait.id);
    if (outcome !== undefined) wait.settle({ outcome });
  }

  private add(wait: Wait): void {
    let set = this.waits.get(wait.id);
    if (set === undefined) this.waits.set(wait.id, (set = new Set()));
    set.add(wait);
    this.subscription ??= this.source.watch((event) => this.onEvent(event), OUTCOME_TYPES);
  }

  private remove(wait: Wait): void {
    const set = this.waits.get(wait.id);
    if (set === undefined) return;
    set.delete(wait);
    if (set.size === 0) this.waits.delete(wait.id);
    if (this.waits.size === 0) {
      this.subscription?.close();
      this.subscription = undefined;
    }
  }

  private onEvent(event: QueueEvent): void {
    if (event.type === 'reconnected') {
      for (const set of [...this.waits.values()]) for (const wait of [...set]) this.check(wait).catch((error: unknown) => wait.settle({ error }));
      return;
    }
    const outcome = outcomeOf(event);
    if (outcome === undefined || !('id' in event)) return;
    const set = this.waits.get(event.id);
    if (set === undefined) return;
    for (const wait of [...set]) wait.settle({ outcome });
  }
}
