import {
  InvalidArgumentError,
  REGISTRY_DEFAULTS,
  type NodeMeta,
  type NodeRecord,
  type Registration,
  type Registry,
  type RegistryEvent,
  type RegistryOptions,
} from '@baton/core';
import { HeartbeatRegistration, assertName, assertOptionsObject, positiveIntOr, prepareNode } from '@baton/core/adapter';
import type { BackendScope } from './backend-scope.js';
import type { GroupState } from './group-state.js';

/**
 * A registry group held in a MemoryStore. A node expires at lastSeen + its TTL; a store timer at
 * the next expiry removes it and tells the watchers of every backend on the store (`leave`), even
 * when the backend that registered it has closed, as a crashed node would stop heartbeating.
 * `keys` is ignored: memory has no key names.
 */
export class MemoryRegistry implements Registry {
  private readonly ttlMs: number;
  private readonly state: GroupState;

  /** Use `MemoryBackend.registry(group, options)`. Throws InvalidArgumentError for a bad group or ttlMs. */
  constructor(
    readonly group: string,
    options: RegistryOptions | undefined,
    private readonly scope: BackendScope,
  ) {
    assertName('group', group);
    assertOptionsObject('options', options);
    this.ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, REGISTRY_DEFAULTS.ttlMs);
    this.state = scope.store.group(group);
  }

  /** See Registry.register: heartbeats every ttl/3 of clock time until deregistered or the backend closes. */
  async register(node: { id: string; meta?: NodeMeta }, options?: { ttlMs?: number }): Promise<Registration> {
    this.scope.assertOpen();
    const { id, meta } = prepareNode(node);
    assertOptionsObject('options', options);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, this.ttlMs);
    const number = this.state.nextRegistration();
    const record = this.state.upsert(id, meta, number, ttlMs, this.scope.clock.now());
    this.rearm();
    let untrack: () => void = () => undefined;
    const registration = new HeartbeatRegistration(
      record,
      ttlMs,
      this.scope.clock,
      {
        beat: async () => {
          this.scope.assertOpen();
          const refreshed = this.state.refresh(id, meta, number, record.registeredAt, ttlMs, this.scope.clock.now());
          this.rearm();
          return refreshed;
        },
        remove: async () => {
          untrack();
          this.scope.assertOpen();
          const removed = this.remove(id);
          this.state.forget(number);
          return removed;
        },
      },
      this.scope.logger,
    );
    // Closing stops the heartbeats but leaves the node to expire by its TTL, like a crash.
    untrack = this.scope.onClose(() => {
      registration.stop();
      this.state.forget(number);
    });
    return registration;
  }

  /** See Registry.list: live nodes sorted by id; expired ones are removed (with `leave`) first. */
  async list(): Promise<NodeRecord[]> {
    this.scope.assertOpen();
    const nodes = this.state.list(this.scope.clock.now());
    this.rearm();
    return nodes;
  }

  /** See Registry.deregister. Throws InvalidArgumentError for a bad id, ClosedError after close. */
  async deregister(id: string): Promise<boolean> {
    this.scope.assertOpen();
    assertName('id', id);
    return this.remove(id);
  }

  /** See Registry.watch. A listener that throws is logged and stays subscribed. Removed when this backend closes. */
  watch(listener: (event: RegistryEvent) => void): () => void {
    this.scope.assertOpen();
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener', 'must be a function');
    const wrapped = (event: RegistryEvent): void => {
      try {
        listener(event);
      } catch (error) {
        this.scope.logger.warn('registry watcher threw', { group: this.group, error: String(error) });
      }
    };
    this.state.watchers.add(wrapped);
    const untrack = this.scope.onClose(() => this.state.watchers.delete(wrapped));
    this.rearm();
    return () => {
      this.state.watchers.delete(wrapped);
      untrack();
    };
  }

  private remove(id: string): boolean {
    const removed = this.state.remove(id, this.scope.clock.now());
    this.rearm();
    return removed;
  }

  /** Points the group's store timer at the next node expiry. */
  private rearm(): void {
    const clock = this.scope.clock;
    const expire = (): void => {
      this.state.expire(clock.now());
      this.scope.store.schedule(this.key, clock, this.state.nextExpiry(), expire);
    };
    this.scope.store.schedule(this.key, clock, this.state.nextExpiry(), expire);
  }

  private get key(): string {
    return `registry:${this.group}`;
  }
}
