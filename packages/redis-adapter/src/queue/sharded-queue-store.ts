import { setMaxListeners } from 'node:events';
import {
  InvalidCursorError,
  type CancelResult,
  type EnqueueResult,
  type Lease,
  type PurgeableState,
  type QueueEvent,
  type QueueEventType,
  type QueueStats,
  type RemoveResult,
  type Task,
  type TaskInfo,
  type TaskOutcome,
  type TaskState,
} from '@baton/core';
import type { FailDecision, LeaseRef, LeaseWait, PreparedTask, QueueStore, QueueStoreSupport, QueueSubscription, StorePage } from '@baton/core/adapter';
import { newToken } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import type { QueueKeys } from '../key-layout.js';
import { extendReservation, releaseLeases, reserveLeases } from './limit-scripts.js';
import type { LimitWaiter } from './limit-waiter.js';
import { watchQueueEvents } from './queue-events.js';
import { NO_PRIORITY } from './queue-scripts.js';
import type { RedisQueueStore } from './redis-queue-store.js';

/** A sharded queue's limits, kept on its home keys (the unsharded tag's `limits` and `reservations`). */
export interface HomeLimits {
  /** The limits spec (see limitSpec). */
  spec: string;
  /** Where lease calls wait while the limits hold them back (the home slots channel). */
  waiter: LimitWaiter;
  /** The home keys. */
  keys: QueueKeys;
}

/** Above every priority: a floor that leases nothing (MAX_PRIORITY is 1,000,000). */
const MAX_FLOOR = 2_000_000;

/**
 * The shard of a task id: FNV-1a (32 bit) over the id's UTF-8 bytes, modulo the shard count.
 * Stable across processes and releases, so every node routes an id to the same shard.
 */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(id, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/**
 * Core's QueueStore for a queue spread over N shards, each an ordinary RedisQueueStore under its
 * own hash tag (`{queue:<name>:s<i>}`), so a Redis Cluster spreads the queue's keys and load over
 * its masters. It composes the shard stores through their public steps.
 *
 * - A task goes to the shard of its id (see shardOf). Ids a caller does not give are random
 *   UUIDs, so tasks spread evenly; an id a caller gives always lands on the same shard, so
 *   duplicate and finished checks, complete, fail, extend and isFinished stay one round trip.
 * - Dequeue tries the shards one by one, highest known ready priority first (ties from a starting
 *   shard that rotates on every call, for fair draining), and stops as soon as it has `max` tasks.
 *   Each shard's lease call takes only tasks at or above the best priority another shard is known
 *   to hold, and reports the best it has left, so a dequeue takes the highest priorities of all
 *   shards. What a shard holds is known from this process's own enqueues and from each lease
 *   reply, and a shard last seen empty is asked again at the start of every sweep. A task of a
 *   higher priority that another node enqueued on a shard this node last saw holding tasks is
 *   seen at the next call to that shard: across shards and nodes the order is best effort.
 * - With nothing ready it blocks on every shard's wait list at once (one BLMOVE per shard, each
 *   on its own connection, shared by all waits on that shard in this process): no polling, and
 *   no cross-slot command, which a Cluster would refuse. The first shard that gets work ends the
 *   other waits.
 * - With `limits`, one limit holds the whole queue: each lease call first reserves leases on the
 *   queue's home keys (its unsharded tag; reserveLeases.lua), sweeps the shards for at most that
 *   many with the reserved tokens and gives back what it did not use; completions, fails and
 *   cancellations give their reservation back, extensions move it (see PROTOCOL.md, Queue limits).
 * - FIFO within one priority holds per shard, not across shards. Stats and recoverStalled add up over shards;
 *   deadLetters interleaves the shards' lists (newest first within each shard).
 * - Inspection: get and remove go to the shard of the id; list walks the shards one after the
 *   other (each in its state's order), its position naming the shard; retryDead, purge and pause
 *   go to every shard.
 */
export class ShardedQueueStore implements QueueStore {
  /** See QueueStore.supports: what every shard supports. */
  readonly supports: QueueStoreSupport;
  private next = 0;
  /** Per shard: the highest priority it is known to hold ready (NO_PRIORITY: none; Infinity: not asked yet). */
  private readonly tops: number[];

  /**
   * @param limits the queue's limits, judged on its home keys; undefined for none
   * @param visibilityMs the lease visibility timeout (ms): how long a reservation lasts
   */
  constructor(
    private readonly ctx: BackendContext,
    private readonly shards: RedisQueueStore[],
    private readonly limits?: HomeLimits,
    private readonly visibilityMs = 30_000,
  ) {
    this.supports = shards[0]!.supports;
    this.tops = shards.map(() => Infinity);
  }

  /** See QueueStore.add: each shard gets its tasks in one call, all shards at once. */
  async add(tasks: readonly PreparedTask[]): Promise<EnqueueResult[]> {
    const groups = new Map<number, number[]>();
    tasks.forEach((t, i) => {
      const s = shardOf(t.id, this.shards.length);
      const group = groups.get(s);
      if (group) group.push(i);
      else groups.set(s, [i]);
    });
    const results = new Array<EnqueueResult>(tasks.length);
    await Promise.all(
      [...groups].map(async ([s, indexes]) => {
        const replies = await this.shards[s]!.add(indexes.map((i) => tasks[i]!));
        indexes.forEach((i, j) => {
          results[i] = replies[j]!;
          const task = tasks[i]!;
          if (replies[j]!.status === 'queued' && task.delayMs === 0) this.tops[s] = Math.max(this.tops[s]!, task.priority);
        });
      }),
    );
    return results;
  }

  /** See QueueStore.lease: one sweep over the shards, then a wait on all of them while there is time left. */
  async lease(max: number, wait: LeaseWait): Promise<Lease<unknown>[]> {
    const giveUpAt = this.ctx.clock.now() + wait.waitMs;
    for (;;) {
      if (this.ctx.closed) return [];
      const epochs = this.shards.map((s) => s.waiter.epoch);
      const freed = this.limits?.waiter.epoch ?? 0;
      const { leases, nextDueInMs, heldForMs } = this.limits
        ? await this.limitedSweep(this.limits, max, wait.holder)
        : await this.sweep(max, wait.signal?.aborted ? 0 : giveUpAt, wait.holder);
      if (leases.length > 0) return leases;
      const remaining = giveUpAt - this.ctx.clock.now();
      if (remaining <= 0 || this.ctx.closed) return [];
      if (wait.signal?.aborted) return this.abandon();
      if (heldForMs >= 0 && this.limits) {
        // the limits granted nothing: wait for a slot, not on the shards (their lists may hold tasks)
        await this.limits.waiter.wait(Math.min(remaining, Math.max(1, heldForMs)), wait.signal, freed);
        continue;
      }
      const delay = nextDueInMs >= 0 ? Math.min(remaining, Math.max(1, nextDueInMs)) : remaining;
      const stop = new AbortController();
      setMaxListeners(this.shards.length + 10, stop.signal);
      const onAbort = (): void => stop.abort();
      wait.signal?.addEventListener('abort', onAbort, { once: true });
      const waits = this.shards.map((s, i) => s.waiter.wait(delay, stop.signal, epochs[i]).then((delivery) => ({ i, delivery })));
      try {
        await Promise.race(waits);
      } finally {
        wait.signal?.removeEventListener('abort', onAbort);
        stop.abort();
      }
      // Shards that delivered in the same moment each hold a task leased for this call: keep them all.
      const delivered: Lease<unknown>[] = [];
      for (const { i, delivery } of await Promise.all(waits)) {
        if (delivery !== undefined) delivered.push(this.shards[i]!.deliveredLease(delivery));
      }
      if (delivered.length > 0) return delivered;
      if (wait.signal?.aborted) return this.abandon();
    }
  }

  // The caller gave up waiting: nothing may be moved or delivered here for it on any shard.
  private async abandon(): Promise<Lease<unknown>[]> {
    await Promise.all(this.shards.map((s) => s.waiter.abandon()));
    return [];
  }

  /** See QueueStore.complete, on the shard of the id. */
  complete(lease: LeaseRef, result?: string): Promise<boolean> {
    const done = this.shardFor(lease.id).complete(lease, result);
    return this.limits ? this.released(done, lease.token) : done;
  }

  /** See QueueStore.progress, on the shard of the id. */
  progress(lease: LeaseRef, json: string): Promise<boolean> {
    return this.shardFor(lease.id).progress(lease, json);
  }

  /**
   * See QueueStore.watch: every shard's events channel on one subscription; in step order per
   * shard, and a `reconnected` per shard channel after a drop.
   */
  watch(listener: (event: QueueEvent) => void, types: ReadonlySet<QueueEventType> | undefined): QueueSubscription {
    return watchQueueEvents(
      this.ctx,
      this.shards[0]!.name,
      this.shards.map((s) => s.eventSource),
      listener,
      types,
    );
  }

  /** See QueueStore.fail, on the shard of the id. */
  fail(lease: LeaseRef, decision: FailDecision): Promise<boolean> {
    const done = this.shardFor(lease.id).fail(lease, decision);
    return this.limits ? this.released(done, lease.token) : done;
  }

  /** See QueueStore.extend, on the shard of the id. */
  async extend(lease: LeaseRef, ms: number): Promise<boolean> {
    const held = await this.shardFor(lease.id).extend(lease, ms);
    // the reservation follows the lease, so its slot stays taken (a second call, after the first said it holds)
    if (held && this.limits) await this.ctx.runner.run(extendReservation, this.limits.keys, { token: lease.token, ms });
    return held;
  }

  /** See QueueStore.isFinished, on the shard of the id. */
  isFinished(id: string): Promise<boolean> {
    return this.shardFor(id).isFinished(id);
  }

  /** See QueueStore.cancel, on the shard of the id. */
  async cancel(id: string, reason: string | undefined): Promise<CancelResult> {
    if (!this.limits) return this.shardFor(id).cancel(id, reason);
    const { result, token } = await this.shardFor(id).cancelTask(id, reason);
    if (token !== '') await this.releaseQuietly(token);
    return result;
  }

  /** See QueueStore.outcome, on the shard of the id. */
  outcome(id: string): Promise<TaskOutcome | undefined> {
    return this.shardFor(id).outcome(id);
  }

  /** See QueueStore.recoverStalled: the sum over shards. */
  async recoverStalled(): Promise<number> {
    const counts = await Promise.all(this.shards.map((s) => s.recoverStalled()));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** See QueueStore.stats: the sum over shards. */
  async stats(): Promise<QueueStats> {
    const all = await Promise.all(this.shards.map((s) => s.stats()));
    const total: Required<QueueStats> = { waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 };
    for (const s of all) {
      total.waiting += s.waiting;
      total.active += s.active;
      total.delayed += s.delayed;
      total.dead += s.dead;
      total.deadDropped += s.deadDropped ?? 0;
    }
    return total;
  }

  /** See QueueStore.get, on the shard of the id. */
  get(id: string): Promise<TaskInfo | undefined> {
    return this.shardFor(id).get(id);
  }

  /** See QueueStore.remove, on the shard of the id. */
  remove(id: string): Promise<RemoveResult> {
    return this.shardFor(id).remove(id);
  }

  /**
   * See QueueStore.list: shard 0's walk, then shard 1's, …; a position is "<shard> <that shard's
   * position>". A page may hold fewer than `limit` tasks where one shard's walk ends.
   */
  async list(state: TaskState, limit: number, after: string | undefined): Promise<StorePage> {
    let shard = 0;
    let position: string | undefined;
    if (after !== undefined) {
      const cut = after.indexOf(' ');
      shard = Number(after.slice(0, cut));
      if (cut < 1 || !Number.isInteger(shard) || shard < 0 || shard >= this.shards.length) {
        throw new InvalidCursorError('options.cursor', 'does not name a position in this queue');
      }
      position = after.slice(cut + 1) || undefined;
    }
    for (; shard < this.shards.length; shard++, position = undefined) {
      const page = await this.shards[shard]!.list(state, limit, position);
      if (page.next !== undefined) return { tasks: page.tasks, next: `${shard} ${page.next}` };
      // this shard's walk ended: the page goes on to the next shard's start when it is not full
      if (page.tasks.length > 0 || shard === this.shards.length - 1) {
        const more = shard < this.shards.length - 1;
        return { tasks: page.tasks, next: more ? `${shard + 1} ` : undefined };
      }
    }
    return { tasks: [], next: undefined };
  }

  /** See QueueStore.retryDead: the given ids on their shards, or the oldest of each shard in turn. */
  async retryDead(ids: readonly string[] | undefined, max: number): Promise<number> {
    if (ids !== undefined) {
      const groups = new Map<number, string[]>();
      for (const id of ids) {
        const s = shardOf(id, this.shards.length);
        groups.set(s, [...(groups.get(s) ?? []), id]);
      }
      const counts = await Promise.all([...groups].map(([s, group]) => this.shards[s]!.retryDead(group, group.length)));
      return counts.reduce((a, b) => a + b, 0);
    }
    let moved = 0;
    for (const shard of this.shards) {
      if (moved >= max) break;
      moved += await shard.retryDead(undefined, max - moved);
    }
    return moved;
  }

  /** See QueueStore.purge: the shards in turn, at most `max` in all. */
  async purge(state: PurgeableState, max: number): Promise<number> {
    let removed = 0;
    for (const shard of this.shards) {
      if (removed >= max) break;
      removed += await shard.purge(state, max - removed);
    }
    return removed;
  }

  /**
   * See QueueStore.setPaused: every shard's flag (each shard's lease calls read their own), one
   * call per shard, all at once. A lease call between two shards' calls may still lease from a
   * shard not yet paused; once this resolves, none leases.
   */
  async setPaused(paused: boolean): Promise<void> {
    await Promise.all(this.shards.map((s) => s.setPaused(paused)));
  }

  /** See QueueStore.isPaused: paused when any shard is (a pause cut short by an outage shows). */
  async isPaused(): Promise<boolean> {
    const flags = await Promise.all(this.shards.map((s) => s.isPaused()));
    return flags.some(Boolean);
  }

  /** See QueueStore.deadLetters: the shards' lists interleaved, newest first within each. */
  async deadLetters(limit: number): Promise<Task<unknown>[]> {
    const lists = await Promise.all(this.shards.map((s) => s.deadLetters(limit)));
    const merged: Task<unknown>[] = [];
    for (let i = 0; merged.length < limit && lists.some((l) => i < l.length); i++) {
      for (const list of lists) if (i < list.length && merged.length < limit) merged.push(list[i]!);
    }
    return merged;
  }

  /**
   * A sweep within the queue's one limit: reserves leases on the home keys (reserveLeases), sweeps
   * the shards for at most that many with the reserved tokens, and gives back what they did not
   * lease. `heldForMs` >= 0 when the limits granted nothing: ms until they may lift by the clock.
   */
  private async limitedSweep(
    limits: HomeLimits,
    max: number,
    holder: string | undefined,
  ): Promise<{ leases: Lease<unknown>[]; nextDueInMs: number; heldForMs: number }> {
    const base = newToken();
    const args = { limits: limits.spec, want: max, visibilityMs: this.visibilityMs, tokenBase: base };
    const reservation = await this.ctx.runner.run(reserveLeases, limits.keys, args);
    if (reservation.granted === 0) return { leases: [], nextDueInMs: -1, heldForMs: Math.max(0, reservation.liftInMs) };
    let swept: { leases: Lease<unknown>[]; nextDueInMs: number; heldForMs: number } | undefined;
    try {
      swept = await this.sweep(reservation.granted, 0, holder, base);
    } finally {
      // leases take the tokens in order (see leaseOnce), so the unused ones are the last
      const leased = swept?.leases.length ?? 0;
      if (leased < reservation.granted) {
        const unused: string[] = [];
        for (let i = leased + 1; i <= reservation.granted; i++) unused.push(`${base}.${i}`);
        await this.release(unused, reservation.window, unused.length);
      }
    }
    return swept;
  }

  // Waits for the shard's step and gives the lease's reservation back beside it (a lease lost to
  // recovery or a cancellation no longer holds its reservation either). A release that fails is
  // logged, not thrown: the step the caller asked for is done, and the reservation lapses at its
  // deadline (the queue runs below its limit until then, never above).
  private async released(step: Promise<boolean>, token: string): Promise<boolean> {
    const [held] = await Promise.all([step, this.releaseQuietly(token)]);
    return held;
  }

  private releaseQuietly(token: string): Promise<unknown> {
    return this.release([token], '', 0).catch((error: unknown) =>
      this.ctx.logger.debug('could not give a reservation back; it lapses at its deadline', { key: this.limits!.keys.reservations, error: String(error) }),
    );
  }

  private release(tokens: string[], window: string, unleased: number): Promise<number> {
    const limits = this.limits!;
    return this.ctx.runner.run(releaseLeases, limits.keys, { slotsChannel: limits.keys.slotsChannel, window, unleased }, tokens);
  }

  private shardFor(id: string): RedisQueueStore {
    return this.shards[shardOf(id, this.shards.length)]!;
  }

  // Lease calls over the shards, best known priority first (ties from a rotating start), each
  // with the best priority another shard may still hold as its floor, until `max` are leased or
  // every shard was asked and none holds more; the ms until the earliest delayed task is due.
  private async sweep(
    max: number,
    idleUntil: number,
    holder: string | undefined,
    tokenBase?: string,
  ): Promise<{ leases: Lease<unknown>[]; nextDueInMs: number; heldForMs: number }> {
    const n = this.shards.length;
    const start = this.next;
    this.next = (this.next + 1) % n;
    const leases: Lease<unknown>[] = [];
    const asked = new Array<boolean>(n).fill(false);
    let nextDueInMs = -1;
    // every call leases, or settles what one shard holds: 3n calls always suffice
    for (let calls = 0; calls < 3 * n && leases.length < max; calls++) {
      // A shard last seen empty and not asked in this sweep is asked first (another node may have
      // enqueued there); one seen holding tasks ranks by the best it held.
      const rank = (s: number): number => (asked[s] || this.tops[s] !== NO_PRIORITY ? this.tops[s]! : Infinity);
      let best = -1;
      for (let i = 0; i < n; i++) {
        const s = (start + i) % n;
        if (rank(s) > NO_PRIORITY && (best < 0 || rank(s) > rank(best))) best = s;
      }
      if (best < 0) break;
      let floor = NO_PRIORITY;
      for (let s = 0; s < n; s++) if (s !== best) floor = Math.max(floor, rank(s));
      // a floor of Infinity (a shard not asked yet holds an unknown best) leases nothing: a look
      const tokens = tokenBase === undefined ? undefined : { base: tokenBase, from: leases.length };
      const got = await this.shards[best]!.leaseOnce(max - leases.length, idleUntil, Math.min(floor, MAX_FLOOR), holder, tokens);
      asked[best] = true;
      this.tops[best] = got.top;
      leases.push(...got.leases);
      if (got.nextDueInMs >= 0 && (nextDueInMs < 0 || got.nextDueInMs < nextDueInMs)) nextDueInMs = got.nextDueInMs;
    }
    return { leases, nextDueInMs, heldForMs: -1 };
  }
}
