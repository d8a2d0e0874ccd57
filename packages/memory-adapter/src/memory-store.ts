import type { Clock } from '@baton/core';
import { timerAt, type ClockTimer } from './clock-timer.js';
import { GroupState } from './group-state.js';
import { PermitRecord } from './permit-record.js';
import { QueueAdminState } from './queue-admin-state.js';

/** A blocked lock waiter of some backend sharing the store. */
export interface PendingLockWait {
  /** The lock may be free: resolve the wait so the waiter tries to acquire. */
  wake(): void;
  /** The lock is held until clock time `at` (ms): wake up then to look again. */
  watchExpiry(at: number): void;
}

/** The state of one lock resource. Kept after release so the fence never goes back. */
export interface LockRecord {
  /** The owner's token; null when released. An owner past `expiresAt` no longer holds the lock. */
  owner: string | null;
  /** Clock time (ms) at which the owner's hold runs out. */
  expiresAt: number;
  /** The fence of the latest acquisition; only ever grows. */
  fence: number;
  /** Tokens of the waiters, in order of arrival; the first one is served next. */
  waiters: string[];
  /** The waits currently blocked, by token (a waiter between two waits has none). */
  pending: Map<string, PendingLockWait>;
}

/**
 * The in-process state behind MemoryBackend: queues, registry groups, locks, semaphores and
 * read/write locks, each keyed by
 * name. Backends given the same store see the same state, as nodes of one deployment share one
 * Redis; backends with separate stores never share anything. Backends sharing a store must share a
 * clock too.
 *
 * A store is plain memory: it needs no closing, and it outlives the backends that use it.
 */
export class MemoryStore {
  private readonly queues = new Map<string, QueueAdminState>();
  private readonly groups = new Map<string, GroupState>();
  private readonly locks = new Map<string, LockRecord>();
  private readonly permitRecords = new Map<string, PermitRecord>();
  private readonly timers = new Map<string, ClockTimer>();
  private openBackends = 0;

  /** The state of queue `name` (created on first use). Used by the adapter. */
  queue(name: string): QueueAdminState {
    let state = this.queues.get(name);
    if (!state) this.queues.set(name, (state = new QueueAdminState()));
    return state;
  }

  /** The names of the queues enqueued to or leased from, sorted (see Backend.queues). */
  queueNames(): string[] {
    const names: string[] = [];
    for (const [name, state] of this.queues) if (state.known) names.push(name);
    return names.sort();
  }

  /** The state of registry group `name` (created on first use). Used by the adapter. */
  group(name: string): GroupState {
    let state = this.groups.get(name);
    if (!state) this.groups.set(name, (state = new GroupState()));
    return state;
  }

  /** The state of lock `resource` (created on first use). Used by the adapter. */
  lock(resource: string): LockRecord {
    let record = this.locks.get(resource);
    if (!record) {
      record = { owner: null, expiresAt: 0, fence: 0, waiters: [], pending: new Map() };
      this.locks.set(resource, record);
    }
    return record;
  }

  /** The state of lock `resource` if it was ever used; undefined otherwise (nothing is created, so reads of made-up names cost nothing). */
  peekLock(resource: string): LockRecord | undefined {
    return this.locks.get(resource);
  }

  /** The state of semaphore or read/write lock `resource` (created on first use; the kinds never share one). Used by the adapter. */
  permits(kind: 'semaphore' | 'rwlock', resource: string): PermitRecord {
    const key = `${kind}:${resource}`;
    let record = this.permitRecords.get(key);
    if (!record) this.permitRecords.set(key, (record = new PermitRecord(resource)));
    return record;
  }

  /** Counts a backend that uses the store; shared timers run while at least one is open. */
  attach(): void {
    this.openBackends++;
  }

  /** A backend closed; when it was the last open one, the shared timers stop (state is kept). */
  detach(): void {
    this.openBackends = Math.max(0, this.openBackends - 1);
    if (this.openBackends > 0) return;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  /**
   * Runs `fn` at clock time `at` (ms) under `key`, replacing the timer of that key; `at`
   * undefined cancels it. These timers belong to the store, not to one backend, so a node's expiry
   * still fires after the backend that registered it closed (as a crashed node's would).
   */
  schedule(key: string, clock: Clock, at: number | undefined, fn: () => void): void {
    const current = this.timers.get(key);
    if (current && current.at === at) return;
    current?.cancel();
    this.timers.delete(key);
    if (at === undefined || this.openBackends === 0) return;
    const timer = timerAt(clock, at, () => {
      if (this.timers.get(key) === timer) this.timers.delete(key);
      fn();
    });
    this.timers.set(key, timer);
  }
}
