import { ClosedError } from '@baton/core';
import type { LockGrant, LockStore, LockStoreState } from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';
import { grantedAfter, type LockWaiters, type Waiter } from './lock-waiters.js';

interface AcquireRow {
  o_fence: string | null;
  o_granted_at: string | null;
  o_pttl: string | null;
  o_counter: string | null;
  o_now: string;
}

/**
 * The LockStore on PostgreSQL: a lease row per resource in `locks` (owner token, expiry in
 * database ms, a fence that grows by one per acquisition and is never reset). A free or expired
 * lock with nobody in line is taken by one conditional upsert; release and extend compare the
 * token. Every expiry is judged by the database's clock.
 *
 * Waiting: a caller that will wait joins the line (`lock_waiters`) in its first attempt. A release hands the lock to the first live waiter in the
 * same statement (its token and TTL, the fence up) and NOTIFYs that waiter's backend, so the
 * waiter holds the lock when the notification arrives. Nobody polls: a waiter sleeps until that
 * notification, the holder's expiry (then it looks again, and a look at an expired lock hands it
 * to the first live waiter), its own timeout, or a reconnect of the LISTEN connection. A waiter
 * is live while its process's LISTEN session exists, so a crashed waiter is skipped at once.
 */
export class PgLockStore implements LockStore {
  private readonly acquireSql: string;
  private readonly extendSql: string;
  private readonly releaseSql: string;
  private readonly leaveSql: string;
  private readonly inspectSql: string;

  constructor(
    private readonly ctx: PgContext,
    private readonly waiters: LockWaiters,
  ) {
    const s = ctx.db.s;
    this.acquireSql = `SELECT * FROM ${s}.lock_acquire($1, $2, $3, $4, $5, $6)`;
    this.extendSql = `UPDATE ${s}.locks SET expires_at = ${s}.now_ms() + $3 WHERE resource = $1 AND token = $2 AND expires_at > ${s}.now_ms() RETURNING 1`;
    this.releaseSql = `SELECT ${s}.lock_release($1, $2) AS held`;
    this.leaveSql = `SELECT ${s}.lock_leave($1, $2)`;
    // Waiters are counted as lock_hand_over judges them: live while their LISTEN session exists.
    this.inspectSql = `SELECT coalesce(l.fence, 0)::float8 AS fence,
        CASE WHEN l.token IS NOT NULL AND l.expires_at > ${s}.now_ms() THEN l.expires_at - ${s}.now_ms() END::float8 AS expires_in_ms,
        (SELECT count(*) FROM ${s}.lock_waiters w WHERE w.resource = $1
          AND ((w.pid IS NULL AND w.pending_until > ${s}.now_ms()) OR EXISTS (SELECT 1 FROM pg_stat_get_activity(w.pid))))::int AS waiters
      FROM (SELECT 1) one LEFT JOIN ${s}.locks l ON l.resource = $1`;
  }

  /**
   * See LockStore.tryAcquire. With `queue`, a caller that does not get the lock is in line after
   * the same round trip, and a lock already handed to it resolves as a LockGrant.
   */
  async tryAcquire(resource: string, token: string, ttlMs: number, queue = false): Promise<number | LockGrant | null> {
    this.ctx.assertOpen();
    try {
      return await this.tryAcquireOpen(resource, token, ttlMs, queue);
    } catch (error) {
      // the connections went with the backend: say so, not that the server failed
      if (this.ctx.closed) throw new ClosedError('postgres backend');
      throw error;
    }
  }

  private async tryAcquireOpen(resource: string, token: string, ttlMs: number, queue: boolean): Promise<number | LockGrant | null> {
    const waiter = this.waiters.waiting.get(token);
    if (waiter) return this.attempt(resource, token, ttlMs, waiter);
    if (!queue) {
      const { row, sentAt } = await this.call(resource, token, ttlMs, false, null);
      return row.o_fence === null ? null : { fence: Number(row.o_fence), grantedAfter: sentAt };
    }
    const joined = this.waiters.join(token, ttlMs);
    if (this.waiters.listening) return this.attempt(resource, token, ttlMs, joined);
    // The first wait of this backend: the place in line is taken now, in order of arrival, while
    // the grant channel is LISTENed (a caller that gets the lock here needs no channel at all).
    const got = await this.attempt(resource, token, ttlMs, joined);
    if (got !== null) return got;
    const listening = this.waiters.ready();
    if (listening) await listening;
    // look again: a hand-off made before the channel was LISTENed was not heard
    return this.attempt(resource, token, ttlMs, joined);
  }

  /** See LockStore.extend: only a live lock still held by `token` is extended. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    this.ctx.assertOpen();
    return (await this.ctx.db.query(this.extendSql, [resource, token, ttlMs])).length === 1;
  }

  /**
   * See LockStore.inspect: one read, changing nothing (a resource never locked has no row and reads
   * as free with fence 0). The time left is judged by the database's clock.
   */
  async inspect(resource: string): Promise<LockStoreState> {
    this.ctx.assertOpen();
    const [row] = await this.ctx.db.query<{ fence: number; expires_in_ms: number | null; waiters: number }>(this.inspectSql, [resource]);
    return { fence: row!.fence, expiresInMs: row!.expires_in_ms, waiters: row!.waiters };
  }

  /** See LockStore.release: hands the lock to the first live waiter in line, or frees it. */
  async release(resource: string, token: string): Promise<boolean> {
    this.ctx.assertOpen();
    const [row] = await this.ctx.db.query<{ held: boolean }>(this.releaseSql, [resource, token]);
    return row?.held === true;
  }

  /**
   * See LockStore.waitForRelease: sleeps until the lock is handed to this waiter (resolves the
   * grant), the holder's expiry, `timeoutMs`, or a reconnect (see LockWaiters.wait).
   */
  waitForRelease(_resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void> {
    return this.waiters.wait(token, timeoutMs, signal);
  }

  /**
   * See LockStore.leaveQueue: forgets the waiter and takes it out of line (one statement, which the
   * lock manager waits for before it reports a timeout or an abort); a lock handed to it meanwhile
   * goes to the next in line (or is freed). A failure is logged: the place goes with this process.
   */
  async leaveQueue(resource: string, token: string): Promise<void> {
    if (!this.waiters.waiting.delete(token) || this.ctx.closed) return;
    await this.ctx.db.query(this.leaveSql, [resource, token]).catch((error: unknown) => {
      this.ctx.logger.debug('leaving a lock line failed; the place goes when this process does', { resource, error: String(error) });
    });
  }

  private async attempt(resource: string, token: string, ttlMs: number, waiter: Waiter): Promise<number | LockGrant | null> {
    if (waiter.grant) return this.waiters.take(token, waiter.grant);
    // without a LISTEN session (still opening, or reconnecting) the place holds for a while
    const pid = this.waiters.listening ? (this.ctx.listener.pid ?? null) : null;
    const { row, sentAt } = await this.call(resource, token, ttlMs, true, pid);
    const offsetMs = Number(row.o_now) + 1 - sentAt;
    if (row.o_fence !== null) {
      this.waiters.waiting.delete(token);
      // handed over by a release between the previous attempt and this one (its notification is late)
      if (row.o_granted_at !== null)
        return waiter.grant ?? { fence: Number(row.o_fence), grantedAfter: grantedAfter({ ...waiter, offsetMs }, Number(row.o_granted_at)) };
      return { fence: Number(row.o_fence), grantedAfter: sentAt };
    }
    // this attempt ran before any hand-off to come, and saw the fence as it was
    waiter.since = Math.max(waiter.since, sentAt);
    waiter.offsetMs = offsetMs;
    waiter.minSeq = Math.max(waiter.minSeq, Number(row.o_counter ?? 0));
    waiter.pttl = row.o_pttl === null ? undefined : Number(row.o_pttl);
    return waiter.grant ? this.waiters.take(token, waiter.grant) : null;
  }

  /**
   * One lock_acquire call, with its send time (caller's clock) taken once the schema is ready: an
   * acquisition counts its TTL from there, not from before a first-use migration, so the holder's
   * local deadline is not eaten by start-up work (a LockGrant says so to the lock manager).
   */
  private async call(resource: string, token: string, ttlMs: number, queue: boolean, pid: number | null): Promise<{ row: AcquireRow; sentAt: number }> {
    await this.ctx.db.ready();
    const sentAt = this.ctx.clock.now();
    const [row] = await this.ctx.db.query<AcquireRow>(this.acquireSql, [resource, token, ttlMs, queue, this.waiters.channel, pid]);
    return { row: row!, sentAt };
  }
}
