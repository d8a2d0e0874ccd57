import type { NodeMeta, NodeRecord, RegistryEvent } from '@baton/core';

interface NodeEntry {
  record: NodeRecord;
  /** The registration that added it last. */
  registration: number;
  /** Clock time (ms) after which the node is gone: lastSeen + its TTL. */
  expiresAt: number;
}

/** A watcher of a group, as stored: already wrapped so that it never throws. */
export type GroupWatcher = (event: RegistryEvent) => void;

function copy(record: NodeRecord): NodeRecord {
  return { ...record, meta: { ...record.meta } };
}

/**
 * The live nodes of one registry group and its watchers, shared by every backend on one
 * MemoryStore. Each method is one synchronous step; each first removes the nodes whose TTL ran
 * out, so `leave` events fire no later than the next look at the group.
 */
export class GroupState {
  /** Watchers of every backend sharing the store. */
  readonly watchers = new Set<GroupWatcher>();
  private readonly nodes = new Map<string, NodeEntry>();
  /**
   * Registrations whose node was deregistered by id: their heartbeats must not bring it back
   * (a heartbeat re-adds only a node that expired). Entries go when the registration stops.
   */
  private readonly revoked = new Set<number>();
  private registrations = 0;

  /** A number for a new registration, unique in this group. */
  nextRegistration(): number {
    return ++this.registrations;
  }

  /** Adds or replaces a node for `registration` (from nextRegistration); `join` when it was not live. */
  upsert(id: string, meta: NodeMeta, registration: number, ttlMs: number, now: number): NodeRecord {
    this.expire(now);
    const existed = this.nodes.has(id);
    const record: NodeRecord = { id, meta: { ...meta }, registeredAt: now, lastSeen: now };
    this.nodes.set(id, { record, registration, expiresAt: now + ttlMs });
    if (!existed) this.emit('join', record);
    return copy(record);
  }

  /**
   * A heartbeat of `registration`: refreshes the node's TTL, re-adding it (with a `join`) if it
   * expired; a node deregistered by id stays gone (the record is returned unchanged).
   */
  refresh(id: string, meta: NodeMeta, registration: number, registeredAt: number, ttlMs: number, now: number): NodeRecord {
    this.expire(now);
    const entry = this.nodes.get(id);
    if (entry) {
      entry.record.lastSeen = now;
      entry.expiresAt = now + ttlMs;
      return copy(entry.record);
    }
    const record: NodeRecord = { id, meta: { ...meta }, registeredAt, lastSeen: now };
    if (this.revoked.has(registration)) return record;
    this.nodes.set(id, { record, registration, expiresAt: now + ttlMs });
    this.emit('join', record);
    return copy(record);
  }

  /** Removes a node; `leave` and true when it was live. */
  remove(id: string, now: number): boolean {
    this.expire(now);
    const entry = this.nodes.get(id);
    if (!entry) return false;
    this.nodes.delete(id);
    this.revoked.add(entry.registration);
    this.emit('leave', entry.record);
    return true;
  }

  /** `registration` stopped heartbeating: nothing to remember about it any more. */
  forget(registration: number): void {
    this.revoked.delete(registration);
  }

  /** Removes every node whose TTL ran out by `now`, with a `leave` for each. */
  expire(now: number): void {
    for (const [id, entry] of this.nodes) {
      if (entry.expiresAt > now) continue;
      this.nodes.delete(id);
      this.emit('leave', entry.record);
    }
  }

  /** Live nodes, sorted by id. */
  list(now: number): NodeRecord[] {
    this.expire(now);
    return [...this.nodes.values()].map((e) => copy(e.record)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Clock time (ms) at which the next node expires; undefined when there are none. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const entry of this.nodes.values()) if (next === undefined || entry.expiresAt < next) next = entry.expiresAt;
    return next;
  }

  private emit(type: RegistryEvent['type'], record: NodeRecord): void {
    for (const watcher of [...this.watchers]) watcher({ type, node: copy(record) });
  }
}
