import type { QueueKeyNames } from '@baton/core';

/**
 * Redis key names. Every structure lives under `<prefix>:{<kind>:<name>}:<part>`: the braces are
 * a Redis Cluster hash tag, so all keys one script touches share a slot. Explicitly bound names
 * (recipe interop) are used as given; the parts Baton adds next to them take the bound key's hash
 * tag, or `{<bound key>}` when it has none, so they still hash to the bound key's slot.
 */

/** Keys of one queue. */
export interface QueueKeys {
  /** List: ready tasks, pushed at the left, popped at the right (bindable: keys.waiting). */
  wait: string;
  /**
   * List: tasks a blocked worker moved out of `wait`; served before `wait`. Next to a bound wait
   * list it is derived from that name (`{tasks}:claimed`), so every backend binding the same list
   * serves it, and BLMOVE stays within one slot.
   */
  claimed: string;
  /** Sorted set: delayed and retrying envelopes scored by due time (ms). */
  delayed: string;
  /** Sorted set: leased ids scored by lease deadline (ms). */
  active: string;
  /** Hash: leased id -> "token|envelope". */
  leases: string;
  /**
   * Hash: every id waiting, delayed, leased, dead or cancelled (for duplicate detection) -> the
   * envelope as it is stored in its ready list or zset (so get finds a task in O(1)), the dead
   * letter for a dead id, '' while leased or cancelled.
   */
  ids: string;
  /** Set: finished ids, readable with SISMEMBER (bindable: keys.finished). */
  finished: string;
  /** Sorted set: finished ids scored by completion time (ms), for retainFinishedMs. */
  finishedAt: string;
  /** List: dead letters, newest at the left. */
  dead: string;
  /** Sorted set: workers blocked waiting for this queue ("waiter|visibility ms" -> registered until, ms). */
  idle: string;
  /**
   * Sorted set: ready envelopes of a priority other than 0, scored -priority * 2^33 + seq (higher
   * priority first, then by seq; see prelude.lua push_ready). Priority 0 stays in `wait`.
   */
  prioritized: string;
  /** Hash: the `back` and `front` seq counters of `prioritized`; deleted when it empties. */
  sequence: string;
  /** Hash: cancelled id -> "+<reason>", or "-" without one; kept like finished ids (see cancelledAt). */
  cancelled: string;
  /** Sorted set: cancelled ids scored by cancellation time (ms, server time), for retainFinishedMs. */
  cancelledAt: string;
  /**
   * Sorted set: the ids of the tasks in `dead`, scored by their death time (ms, server time); their
   * letters are also kept in `ids`, so enqueue meets them only among queued ids.
   */
  deadIds: string;
  /** Counter: the dead letters retainDead dropped over the queue's life (stats().deadDropped). */
  deadDropped: string;
  /** Hash: finished id -> its result (JSON text), pruned with the finished id. */
  results: string;
  /** Hash: active id -> its latest progress (JSON text), dropped when the task leaves the active state. */
  progress: string;
  /** Hash: event type -> until when (ms, server time) a watcher wants it (see watchEvents.lua). */
  watching: string;
  /** String: "1" while the queue is paused (see setPaused.lua); absent otherwise. */
  paused: string;
  /**
   * Hash: the queue's limits state (QueueOptions.limits): `window` (when the rate window opened,
   * server ms), `started` (leases started in it), `held` (set while a lease call is held back).
   * A sharded queue keeps it under its unsharded tag, one for all shards.
   */
  limits: string;
  /** Sorted set: a sharded queue's lease reservations against its limits (token -> deadline, server ms; see reserveLeases.lua). */
  reservations: string;
  /** Pub/sub channel: a concurrency slot was freed while a lease call was held back by the limits. */
  slotsChannel: string;
  /** Pub/sub channel: the queue's events, one JSON array per step (see prelude.lua publish_events). */
  eventsChannel: string;
  /** Pub/sub channel: ms from now until a delayed task that became the earliest is due (0: a prioritized task is ready). */
  dueChannel: string;
}

/** Keys and channel of one registry group. */
export interface RegistryKeys {
  /** Set: member node ids (bindable: keys.members). */
  members: string;
  /** Prefix of per-node keys (string JSON record with a PX TTL): nodePrefix + id. */
  nodePrefix: string;
  /** Hash: id -> last record, so a leave event can carry it after the node key expired. */
  records: string;
  /** Pub/sub channel of join/leave events. */
  events: string;
  /** Prefix of per-registration "revoked" markers (deregistered by id): revokedPrefix + registration id. */
  revokedPrefix: string;
}

/** Keys and channel of one lock resource. */
export interface LockKeys {
  /** String: the owner's token, with a PX TTL (bindable: keys.lock(resource)). */
  lock: string;
  /** Counter: the fence, INCR on every acquisition; never reset. */
  fence: string;
  /** List: waiter entries (`<token> <ttl ms> <grant channel>`) in order of arrival. */
  waiters: string;
  /** Sorted set: waiter entry -> deadline (ms) by which it must refresh its place. */
  waiterDeadlines: string;
}

/** Keys of one semaphore or read/write-lock resource (see acquirePermits.lua). */
export interface PermitKeys {
  /**
   * Hash: `fence` (only grows), `seq` (hand-offs so far), `used` (permits of the grants in
   * `holders`), `limit`, and under each grant's token "<permits> <fence>".
   */
  state: string;
  /** Sorted set: token of each grant -> its expiry (ms, server time). */
  holders: string;
  /** List: waiter entries (`<token> <permits> <ttl ms> <bump 0|1> <grant channel>`) in order of arrival. */
  waiters: string;
  /** Sorted set: waiter entry -> deadline (ms, server time) by which it must refresh its place. */
  places: string;
}

/** The hash tag Redis Cluster would use for `key`, or undefined when it has none. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/** A base for keys that must share `key`'s slot: `key` itself when it has a hash tag, else `{key}`. */
export function sameSlotBase(key: string): string {
  return hashTag(key) === undefined ? `{${key}}` : key;
}

/** Builds key names under one prefix. */
export class KeyLayout {
  constructor(readonly prefix: string) {}

  /** `<prefix>:{<kind>:<name>}` */
  base(kind: 'queue' | 'registry' | 'lock' | 'semaphore' | 'rwlock', name: string): string {
    return `${this.prefix}:{${kind}:${name}}`;
  }

  /**
   * Keys of queue `name`, with `bound` names used as given. Frozen: a queue keeps its keys for its
   * lifetime, so the script runner writes them out once per script (see ScriptRunner).
   */
  queue(name: string, bound: QueueKeyNames = {}): Readonly<QueueKeys> {
    const b = this.base('queue', name);
    return Object.freeze({
      wait: bound.waiting ?? `${b}:wait`,
      claimed: bound.waiting === undefined ? `${b}:claimed` : `${sameSlotBase(bound.waiting)}:claimed`,
      delayed: `${b}:delayed`,
      active: `${b}:active`,
      leases: `${b}:leases`,
      ids: `${b}:ids`,
      finished: bound.finished ?? `${b}:finished`,
      finishedAt: `${b}:finished-at`,
      dead: `${b}:dead`,
      idle: `${b}:idle`,
      prioritized: `${b}:prioritized`,
      sequence: `${b}:sequence`,
      cancelled: `${b}:cancelled`,
      cancelledAt: `${b}:cancelled-at`,
      results: `${b}:results`,
      deadIds: `${b}:dead-ids`,
      deadDropped: `${b}:dead-dropped`,
      progress: `${b}:progress`,
      watching: `${b}:watching`,
      paused: `${b}:paused`,
      limits: `${b}:limits`,
      reservations: `${b}:reservations`,
      slotsChannel: `${b}:slots`,
      eventsChannel: `${b}:events`,
      dueChannel: `${b}:due`,
    });
  }

  /** Keys of registry group `group`, with a bound members set used as given. */
  registry(group: string, members?: string): RegistryKeys {
    const b = members === undefined ? this.base('registry', group) : `${this.prefix}:${sameSlotBase(members)}`;
    return {
      members: members ?? `${b}:members`,
      nodePrefix: `${b}:node:`,
      records: `${b}:records`,
      events: `${b}:events`,
      revokedPrefix: `${b}:revoked:`,
    };
  }

  /** Keys of semaphore or read/write lock `resource` (the two kinds never share keys). */
  permits(kind: 'semaphore' | 'rwlock', resource: string): PermitKeys {
    const b = this.base(kind, resource);
    return { state: `${b}:state`, holders: `${b}:holders`, waiters: `${b}:waiters`, places: `${b}:places` };
  }

  /** Keys of lock `resource`; `bound` maps a resource to an explicit lock key. */
  lock(resource: string, bound?: (resource: string) => string): LockKeys {
    if (bound) {
      const lock = bound(resource);
      const b = sameSlotBase(lock);
      return { lock, fence: `${b}:fence`, waiters: `${b}:waiters`, waiterDeadlines: `${b}:waiter-deadlines` };
    }
    const b = this.base('lock', resource);
    return { lock: `${b}:lock`, fence: `${b}:fence`, waiters: `${b}:waiters`, waiterDeadlines: `${b}:waiter-deadlines` };
  }
}
