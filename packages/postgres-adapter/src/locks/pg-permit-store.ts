import { ClosedError, SemaphoreLimitError } from '@baton/core';
import type { LockGrant, PermitRequest, PermitState, PermitStore } from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';
import { grantedAfter, type LockWaiters, type Waiter } from './lock-waiters.js';

/** Which resources a permit store serves: semaphores and read/write locks of one name never share rows. */
export type PermitKind = 'semaphore' | 'rwlock';

interface AcquireRow {
  o_fence: string | null;
  o_granted_at: string | null;
  o_conflict: string | null;
  o_wake_ms: string | null;
  o_seq: string | null;
  o_now: string;
}

/**
 * Core's PermitStore on PostgreSQL, for semaphores and read/write locks (see the v3 migration):
 * a row per resource (limit, permits in use, fence, hand-off counter), a row per grant with its
 * expiry in database ms, and the line of waiters. One function per step (`permit_acquire`,
 * `permit_release`, `permit_leave`), each settling the resource under its row lock: grants that
 * ran out are dropped and the waiters that now fit are handed their permits in order and told on
 * their backend's channel, so a waiter holds its permits when the notification arrives. As for
 * locks, nobody polls: a waiter sleeps until that notification, the first grant's expiry, its
 * timeout or a reconnect, and a waiter is live while its process's LISTEN session exists.
 */
export class PgPermitStore implements PermitStore {
  private readonly acquireSql: string;
  private readonly extendSql: string;
  private readonly releaseSql: string;
  private readonly leaveSql: string;
  private readonly inspectSql: string;

  constructor(
    private readonly ctx: PgContext,
    private readonly waiters: LockWaiters,
    private readonly kind: PermitKind,
  ) {
    const s = ctx.db.s;
    this.acquireSql = `SELECT * FROM ${s}.permit_acquire($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
    this.extendSql = `UPDATE ${s}.permit_grants SET expires_at = ${s}.now_ms() + $4
      WHERE kind = $1 AND resource = $2 AND token = $3 AND expires_at > ${s}.now_ms() RETURNING 1`;
    this.releaseSql = `SELECT ${s}.permit_release($1, $2, $3) AS held`;
    this.leaveSql = `SELECT ${s}.permit_leave($1, $2, $3)`;
    this.inspectSql = `SELECT
        (SELECT lim FROM ${s}.permit_resources WHERE kind = $1 AND resource = $2) AS lim,
        (SELECT coalesce(json_agg(json_build_array(permits, fence, expires_at - ${s}.now_ms()) ORDER BY expires_at, fence), '[]')
          FROM ${s}.permit_grants WHERE kind = $1 AND resource = $2 AND expires_at > ${s}.now_ms()) AS holders,
        (SELECT coalesce(json_agg(permits ORDER BY seq), '[]') FROM ${s}.permit_waiters w WHERE kind = $1 AND resource = $2
          AND ((w.pid IS NULL AND w.pending_until > ${s}.now_ms()) OR EXISTS (SELECT 1 FROM pg_stat_get_activity(w.pid)))) AS waiters`;
  }

  /** See PermitStore.tryAcquire. With `queue`, a caller that is not granted is in line after the same round trip. */
  async tryAcquire(resource: string, token: string, request: PermitRequest, queue = false): Promise<number | LockGrant | null> {
    this.ctx.assertOpen();
    try {
      const waiter = this.waiters.waiting.get(token);
      if (waiter) return await this.attempt(resource, token, request, waiter);
      if (!queue) {
        const { row, sentAt } = await this.call(resource, token, request, false, null);
        if (row.o_conflict !== null) throw new SemaphoreLimitError(resource, request.limit, Number(row.o_conflict));
        return row.o_fence === null ? null : { fence: Number(row.o_fence), grantedAfter: sentAt };
      }
      const joined = this.waiters.join(token, request.ttlMs);
      if (this.waiters.listening) return await this.attempt(resource, token, request, joined);
      // the place is taken now, in order of arrival, while the grant channel is LISTENed
      const got = await this.attempt(resource, token, request, joined);
      if (got !== null) return got;
      const listening = this.waiters.ready();
      if (listening) await listening;
      return await this.attempt(resource, token, request, joined);
    } catch (error) {
      if (this.ctx.closed) throw new ClosedError('postgres backend');
      throw error;
    }
  }

  /** See PermitStore.extend. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    this.ctx.assertOpen();
    return (await this.ctx.db.query(this.extendSql, [this.kind, resource, token, ttlMs])).length === 1;
  }

  /** See PermitStore.release: the waiters that now fit are handed their permits in the same statement. */
  async release(resource: string, token: string): Promise<boolean> {
    this.ctx.assertOpen();
    const [row] = await this.ctx.db.query<{ held: boolean }>(this.releaseSql, [this.kind, resource, token]);
    return row?.held === true;
  }

  /** See PermitStore.waitForRelease (LockWaiters.wait). */
  waitForRelease(_resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void> {
    return this.waiters.wait(token, timeoutMs, signal);
  }

  /**
   * See PermitStore.leaveQueue: out of line in one statement (which the manager waits for before
   * it reports a timeout or an abort); permits handed to it meanwhile are given back and passed on.
   */
  async leaveQueue(resource: string, token: string): Promise<void> {
    if (!this.waiters.waiting.delete(token) || this.ctx.closed) return;
    await this.ctx.db.query(this.leaveSql, [this.kind, resource, token]).catch((error: unknown) => {
      this.ctx.logger.debug('leaving a permit line failed; the place goes when this process does', { resource, error: String(error) });
    });
  }

  /** See PermitStore.inspect: judged by the database clock; never a token. */
  async inspect(resource: string): Promise<PermitState> {
    this.ctx.assertOpen();
    const [row] = await this.ctx.db.query<{ lim: string | null; holders: Array<[number, number, number]>; waiters: number[] }>(this.inspectSql, [
      this.kind,
      resource,
    ]);
    const holders = row!.holders.map(([permits, fence, expiresInMs]) => ({ permits: Number(permits), fence: Number(fence), expiresInMs: Number(expiresInMs) }));
    const waiters = row!.waiters.map((permits) => ({ permits: Number(permits) }));
    const limit = holders.length > 0 || waiters.length > 0 ? Number(row!.lim) : null;
    return { limit, holders, waiters };
  }

  private async attempt(resource: string, token: string, request: PermitRequest, waiter: Waiter): Promise<number | LockGrant | null> {
    if (waiter.grant) return this.waiters.take(token, waiter.grant);
    const pid = this.waiters.listening ? (this.ctx.listener.pid ?? null) : null;
    const { row, sentAt } = await this.call(resource, token, request, true, pid);
    if (row.o_conflict !== null) throw new SemaphoreLimitError(resource, request.limit, Number(row.o_conflict));
    const offsetMs = Number(row.o_now) + 1 - sentAt;
    if (row.o_fence !== null) {
      this.waiters.waiting.delete(token);
      if (row.o_granted_at !== null) {
        return waiter.grant ?? { fence: Number(row.o_fence), grantedAfter: grantedAfter({ ...waiter, offsetMs }, Number(row.o_granted_at)) };
      }
      return { fence: Number(row.o_fence), grantedAfter: sentAt };
    }
    waiter.since = Math.max(waiter.since, sentAt);
    waiter.offsetMs = offsetMs;
    waiter.minSeq = Math.max(waiter.minSeq, Number(row.o_seq ?? 0));
    waiter.pttl = row.o_wake_ms === null ? undefined : Number(row.o_wake_ms);
    return waiter.grant ? this.waiters.take(token, waiter.grant) : null;
  }

  // Sent once the schema is ready, so a first-use migration does not eat the grant's TTL (as for locks).
  private async call(
    resource: string,
    token: string,
    request: PermitRequest,
    queue: boolean,
    pid: number | null,
  ): Promise<{ row: AcquireRow; sentAt: number }> {
    await this.ctx.db.ready();
    const sentAt = this.ctx.clock.now();
    const values = [this.kind, resource, token, request.permits, request.limit, request.ttlMs, request.bumpsFence, queue, this.waiters.channel, pid];
    const [row] = await this.ctx.db.query<AcquireRow>(this.acquireSql, values);
    return { row: row!, sentAt };
  }
}
