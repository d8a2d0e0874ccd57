import type { QueueEventType } from '@baton/core';

/** An event as the queue state records it: results and progress still as JSON text (each watcher parses its own copy). */
export type StateEvent =
  | { type: 'enqueued'; at: number; ids: string[] }
  | { type: 'active'; at: number; ids: string[] }
  | { type: 'completed'; at: number; id: string; result: string | undefined }
  | { type: 'failed'; at: number; id: string; attempt: number; error: string; willRetry: boolean }
  | { type: 'dead'; at: number; id: string; attempt: number; error: string }
  | { type: 'cancelled'; at: number; id: string; from: 'waiting' | 'delayed' | 'active'; reason: string | undefined }
  | { type: 'progress'; at: number; id: string; progress: string };

/** One watcher of a queue's state, from any backend on the store. */
export interface StateWatcher {
  /** The types it wants; undefined: all. */
  readonly types: ReadonlySet<QueueEventType> | undefined;
  deliver(event: StateEvent): void;
}

/**
 * The watchers of one queue. The state asks `wants(type)` before it builds an event, so a queue
 * nobody watches (or nobody watches for that type) builds none: the hot paths pay one counter
 * read. Events are delivered in a microtask after the step that made them, in the order emitted,
 * to the watchers subscribed when it was emitted and still subscribed at delivery.
 */
export class QueueWatchers {
  private readonly watchers = new Set<StateWatcher>();
  /** Watchers per type, counting those that want every type. */
  private readonly counts = new Map<QueueEventType, number>();
  private all = 0;

  /** True when some watcher wants events of `type`. */
  wants(type: QueueEventType): boolean {
    return this.all > 0 || (this.counts.get(type) ?? 0) > 0;
  }

  /** Subscribes `watcher`; returns the function that unsubscribes it (idempotent). */
  add(watcher: StateWatcher): () => void {
    this.watchers.add(watcher);
    this.count(watcher, 1);
    return () => {
      if (this.watchers.delete(watcher)) this.count(watcher, -1);
    };
  }

  /** Delivers `event` after the current step to the watchers that want it. */
  emit(event: StateEvent): void {
    const targets: StateWatcher[] = [];
    for (const watcher of this.watchers) if (watcher.types === undefined || watcher.types.has(event.type)) targets.push(watcher);
    if (targets.length === 0) return;
    queueMicrotask(() => {
      for (const watcher of targets) if (this.watchers.has(watcher)) watcher.deliver(event);
    });
  }

  private count(watcher: StateWatcher, delta: number): void {
    if (watcher.types === undefined) {
      this.all += delta;
      return;
    }
    for (const type of watcher.types) this.counts.set(type, (this.counts.get(type) ?? 0) + delta);
  }
}
