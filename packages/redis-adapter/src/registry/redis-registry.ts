import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type NodeRecord, type Registration, type Registry, type RegistryEvent } from '@baton/core';
import { assertName, assertOptionsObject, HeartbeatRegistration, positiveIntOr, prepareNode, type GroupSnapshot, type GroupWatch } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import type { RegistryKeys } from '../key-layout.js';
import { decodeNode, encodeNode, publicNode, type StoredNode } from './node-record.js';
import { beatNode, listNodes, removeNode } from './registry-scripts.js';

/**
 * A Registry on Redis: the members set (SADD / SMEMBERS / SREM, bindable to the recipe's `nodes`)
 * plus, per node, a key holding its JSON record with a PX TTL that heartbeats refresh. A member
 * whose key expired is dead: `list()` removes it and announces its `leave`.
 */
export class RedisRegistry implements Registry {
  constructor(
    readonly group: string,
    private readonly ctx: BackendContext,
    private readonly keys: RegistryKeys,
    private readonly ttlMs: number,
    private readonly watcher: GroupWatch,
  ) {}

  /** See Registry.register. The first heartbeat is written before this resolves. */
  async register(node: { id: string; meta?: Record<string, string | number | boolean> }, options?: { ttlMs?: number }): Promise<Registration> {
    this.ctx.assertOpen();
    const { id, meta } = prepareNode(node);
    assertOptionsObject('options', options);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, this.ttlMs);
    const registeredAt = this.ctx.clock.now();
    const reg = randomBytes(8).toString('hex');
    let last: NodeRecord | undefined;
    const beat = async (): Promise<NodeRecord> => {
      const stored: StoredNode = { id, meta, registeredAt, lastSeen: this.ctx.clock.now(), ttlMs, reg };
      const k = this.keys;
      const keys = { members: k.members, node: k.nodePrefix + id, records: k.records, revoked: k.revokedPrefix + reg };
      const outcome = await this.ctx.runner.run(beatNode, keys, { id, record: encodeNode(stored), ttlMs, events: k.events });
      // deregistered by id: the node stays gone and the record stays as it was
      if (outcome === 'revoked' && last) return last;
      last = publicNode(stored);
      return last;
    };
    const first = await beat();
    let cancelClose: () => void = () => undefined;
    const registration = new HeartbeatRegistration(
      first,
      ttlMs,
      this.ctx.clock,
      {
        beat,
        remove: async () => {
          cancelClose();
          return this.remove(id);
        },
      },
      this.ctx.logger,
    );
    cancelClose = this.ctx.onClose(() => registration.stop());
    return registration;
  }

  /** See Registry.list: live nodes sorted by id; expired members are removed and announced. */
  async list(): Promise<NodeRecord[]> {
    this.ctx.assertOpen();
    return (await this.listStored()).map(publicNode);
  }

  /** See Registry.deregister. */
  async deregister(id: string): Promise<boolean> {
    this.ctx.assertOpen();
    assertName('id', id);
    return this.remove(id);
  }

  /** See Registry.watch: events come over pub/sub from every process; a sweep announces silent deaths. */
  watch(listener: (event: RegistryEvent) => void): () => void {
    this.ctx.assertOpen();
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener', 'must be a function');
    return this.watcher.add(listener);
  }

  /** Lists the group (removing and announcing expired members) with the shortest TTL among live nodes (ms), for the watch. */
  async sweep(): Promise<GroupSnapshot> {
    const nodes = await this.listStored();
    return { nodes: nodes.map(publicNode), shortestTtlMs: nodes.reduce((min, n) => Math.min(min, Number(n.ttlMs) || this.ttlMs), this.ttlMs) };
  }

  private async listStored(): Promise<StoredNode[]> {
    const k = this.keys;
    const records = await this.ctx.runner.run(listNodes, k, k);
    return records.map((text) => decodeNode(text, k.members)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async remove(id: string): Promise<boolean> {
    const k = this.keys;
    return this.ctx.runner.run(
      removeNode,
      { members: k.members, node: k.nodePrefix + id, records: k.records },
      { id, events: k.events, revokedPrefix: k.revokedPrefix },
    );
  }
}
