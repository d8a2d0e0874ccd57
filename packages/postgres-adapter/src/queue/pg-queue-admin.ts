import type { PurgeableState, RemoveResult, TaskInfo, TaskState } from '@baton/core';
import { PURGE_BATCH, type ResolvedQueueOptions, type StorePage } from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';
import type { AdminSql } from './admin-sql.js';
import { positionOf, positionParams, toTaskInfo, type TaskInfoRow } from './task-info.js';

/**
 * The inspection and admin steps of one queue on PostgreSQL (QueueStore.get, list, setPaused,
 * isPaused, retryDead, remove, purge) and the dead-letter retention, each one statement (see
 * admin-sql.ts). PgQueueStore hands its methods of the same names to this.
 */
export class PgQueueAdmin {
  constructor(
    private readonly name: string,
    private readonly options: ResolvedQueueOptions,
    private readonly ctx: PgContext,
    private readonly sql: AdminSql,
    private readonly channel: string,
  ) {}

  /** See QueueStore.get: one primary-key read; a dead letter past retainDead is dropped first, then read again. */
  async get(id: string): Promise<TaskInfo | undefined> {
    let [row] = await this.ctx.db.query<TaskInfoRow>(this.sql.get, [this.name, id]);
    if (row?.state === 2 && (await this.pruneDead()) > 0) [row] = await this.ctx.db.query<TaskInfoRow>(this.sql.get, [this.name, id]);
    return row && toTaskInfo(row);
  }

  /** See QueueStore.list: one keyset page; the dead letters past retainDead are dropped before a page of them. */
  async list(state: TaskState, limit: number, after: string | undefined): Promise<StorePage> {
    const position = positionParams(state, after);
    if (state === 'dead') await this.pruneDead();
    const rows = await this.ctx.db.query<TaskInfoRow>(this.sql.list[state], [this.name, limit, ...position]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { tasks: page.map(toTaskInfo), next: rows.length > limit && last !== undefined ? positionOf(state, last) : undefined };
  }

  /** See QueueStore.setPaused: resuming NOTIFYs the claims waiting on any node. */
  async setPaused(paused: boolean): Promise<void> {
    if (paused) await this.ctx.db.query(this.sql.pause, [this.name]);
    else await this.ctx.db.query(this.sql.resume, [this.name, this.channel]);
  }

  /** See QueueStore.isPaused. */
  async isPaused(): Promise<boolean> {
    const [row] = await this.ctx.db.query<{ paused: boolean }>(this.sql.isPaused, [this.name]);
    return row?.paused === true;
  }

  /** See QueueStore.retryDead: one statement; waiting claims are NOTIFYed. */
  async retryDead(ids: readonly string[] | undefined, max: number): Promise<number> {
    const [row] = await this.ctx.db.query<{ moved: number }>(this.sql.retryDead, [this.name, ids ?? null, max, this.channel]);
    return row?.moved ?? 0;
  }

  /** See QueueStore.remove. */
  async remove(id: string): Promise<RemoveResult> {
    const [row] = await this.ctx.db.query<{ answer: RemoveResult }>(this.sql.remove, [this.name, id]);
    return row!.answer;
  }

  /** See QueueStore.purge: one statement of at most `max` rows. */
  async purge(state: PurgeableState, max: number): Promise<number> {
    const [row] = await this.ctx.db.query<{ n: number }>(this.sql.purge[state], [this.name, max]);
    return row?.n ?? 0;
  }

  /**
   * Drops dead letters beyond this handle's retainDead (the oldest past the newest `count`, or
   * older than `ageMs`), at most PURGE_BATCH per statement, counting them in `dead_dropped`.
   * Resolves how many it dropped.
   */
  async pruneDead(): Promise<number> {
    const { count, ageMs } = this.options.retainDead;
    const [row] = await this.ctx.db.query<{ dropped: number }>(this.sql.pruneDead, [this.name, count, ageMs, PURGE_BATCH]);
    return row?.dropped ?? 0;
  }
}
