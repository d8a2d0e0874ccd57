import { InvalidArgumentError, type NodeMeta, type NodeRecord, type Registration, type Registry, type RegistryEvent } from '@baton/core';
import {
  assertName,
  assertOptionsObject,
  HeartbeatRegistration,
  newToken,
  positiveIntOr,
  prepareNode,
  type GroupSnapshot,
  type GroupWatch,
} from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';
import { toNodeRecord, type NodeRow } from './node-row.js';

interface BeatRow {
  o_state: 'joined' | 'live' | 'revoked';
  o_registered_at: string;
  o_last_seen: string;
}

/**
 * A Registry on PostgreSQL: a row per node in `nodes` with an expiry in database ms that
 * heartbeats push forward. A row whose expiry passed is dead: `list()` reaps it and NOTIFYs its
 * `leave` from the same statement; `register`, a heartbeat that brings a node back, and
 * `deregister` NOTIFY theirs (see `node_beat`, `node_remove`).
 */
export class PgRegistry implements Registry {
  private readonly beatSql: string;
  private readonly listSql: string;
  private readonly removeSql: string;

  constructor(
    readonly group: string,
    private readonly ctx: PgContext,
    private readonly ttlMs: number,
    private readonly channel: string,
    private readonly watcher: GroupWatch,
  ) {
    const s = ctx.db.s;
    this.beatSql = `SELECT * FROM ${s}.node_beat($1, $2, $3, $4, $5, $6, $7, $8)`;
    this.listSql = `WITH reaped AS (
        DELETE FROM ${s}.nodes WHERE grp = $1 AND expires_at <= ${s}.now_ms()
        RETURNING CASE WHEN NOT revoked THEN ${s}.node_event($2, 'leave', id, meta, registered_at, last_seen, ttl_ms) END
      )
      SELECT id, meta, registered_at, last_seen, ttl_ms FROM ${s}.nodes WHERE grp = $1 AND NOT revoked AND expires_at > ${s}.now_ms()`;
    this.removeSql = `SELECT ${s}.node_remove($1, $2, $3) AS live`;
  }

  /** See Registry.register. The first heartbeat is written before this resolves. */
  async register(node: { id: string; meta?: NodeMeta }, options?: { ttlMs?: number }): Promise<Registration> {
    this.ctx.assertOpen();
    const { id, meta } = prepareNode(node);
    assertOptionsObject('options', options);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, this.ttlMs);
    const reg = newToken();
    const metaJson = JSON.stringify(meta);
    let last: NodeRecord | undefined;
    const beat = async (register: boolean): Promise<NodeRecord> => {
      this.ctx.assertOpen();
      const values = [this.group, id, metaJson, ttlMs, reg, last?.registeredAt ?? 0, register, this.channel];
      const [row] = await this.ctx.db.query<BeatRow>(this.beatSql, values);
      // deregistered by id: the node stays gone and the record stays as it was
      if (row!.o_state === 'revoked' && last) return last;
      last = { id, meta: { ...meta }, registeredAt: Number(row!.o_registered_at), lastSeen: Number(row!.o_last_seen) };
      return last;
    };
    const first = await beat(true);
    let cancelClose: () => void = () => undefined;
    const registration = new HeartbeatRegistration(
      first,
      ttlMs,
      this.ctx.clock,
      {
        beat: () => beat(false),
        remove: async () => {
          cancelClose();
          this.ctx.assertOpen();
          return this.remove(id);
        },
      },
      this.ctx.logger,
    );
    // closing stops the heartbeats but leaves the row to expire by its TTL, as a crash would
    cancelClose = this.ctx.onClose(() => registration.stop());
    return registration;
  }

  /** See Registry.list: live nodes sorted by id; expired rows are reaped and their leave announced. */
  async list(): Promise<NodeRecord[]> {
    this.ctx.assertOpen();
    return (await this.listRows()).map(toNodeRecord);
  }

  /** See Registry.deregister. */
  async deregister(id: string): Promise<boolean> {
    this.ctx.assertOpen();
    assertName('id', id);
    return this.remove(id);
  }

  /** See Registry.watch: events are NOTIFYed by every process; a sweep reaps silent deaths. */
  watch(listener: (event: RegistryEvent) => void): () => void {
    this.ctx.assertOpen();
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener', 'must be a function');
    return this.watcher.add(listener);
  }

  /** Lists the group (reaping) with the shortest TTL among live nodes (ms), for the watch. */
  async sweep(): Promise<GroupSnapshot> {
    const rows = await this.listRows();
    return { nodes: rows.map(toNodeRecord), shortestTtlMs: rows.reduce((min, r) => Math.min(min, Number(r.ttl_ms) || this.ttlMs), this.ttlMs) };
  }

  private async listRows(): Promise<NodeRow[]> {
    const rows = await this.ctx.db.query<NodeRow>(this.listSql, [this.group, this.channel]);
    return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async remove(id: string): Promise<boolean> {
    const [row] = await this.ctx.db.query<{ live: boolean }>(this.removeSql, [this.group, id, this.channel]);
    return row?.live === true;
  }
}
