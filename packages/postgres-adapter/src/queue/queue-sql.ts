import { claimSql, lockInIdOrder } from './claim-sql.js';
import { bounded, completedEvents, emitEvents, EVENT_BITS, idListEvents } from './event-sql.js';

/**
 * The statements of a queue, built once per schema. Each is one statement (one round trip,
 * atomic) so that they run unchanged through a transaction-pooling proxy. `$1` is always the
 * queue name. Times are database ms (`now_ms()`); durations come in as ms. Statements that
 * change tasks also send the queue's events while someone watches them (see event-sql.ts).
 */
export interface QueueSql {
  /**
   * $2 ids, $3 payloads (JSON text), $4 delays (ms), $5 channel, $6 priorities, $7 headers (JSON
   * text or NULL). Rows (ord, status q|d|f|c) in input order, plus ord -1 when it NOTIFYed.
   */
  enqueue: string;
  /**
   * `enqueue` of one task, without arrays: $2 id, $3 payload, $4 delay (ms), $5 channel, $6
   * priority, $7 headers. One row: status q|d|f|c.
   */
  enqueueOne: string;
  /**
   * Completes $5/$6/$7 (ids/tokens/results) with retention $8 ms, then claims up to $2 ready tasks
   * for $3 ms with tokens `$4.<n>`. Rows: kind 'c' (a completion that held: id), kind 'l' (a lease;
   * `deadline` in database ms, `n` its rank in the queue's order), and one kind 'n' row whose `n` is the ms until the next
   * delayed task (NULL: none) when fewer than $2 were claimed. `$9` the holder kept on each lease
   * (or NULL). Claims nothing while the queue is paused (its `queues` row says so). `$10` the
   * queue's channel (a completion NOTIFYs -1 there while a claim is held back by limits, see the v7
   * migration). `$11` waiter id and `$12` wait (ms): see `claimWaiting`.
   */
  claim: string;
  /**
   * `claim`, and, when nothing was claimed, registers waiter $11 as blocked on the queue for $12 ms,
   * after the enqueues in flight committed (the queue's lock taken exclusively). Sent without
   * completions: a completion's row lock held while waiting for that lock could deadlock with an
   * enqueue of the same id.
   */
  claimWaiting: string;
  /** `claim`, and removes waiter $11's registration when something was claimed. */
  claimLeaving: string;
  /**
   * $2 ids, $3 tokens, $4 results (JSON text or NULL), $5 retention (ms), $6 channel: the ids that
   * were held and are now finished. NOTIFYs -1 while a claim is held back by limits.
   */
  complete: string;
  /**
   * $2 id, $3 token, $4 dead (bool), $5 retry in (ms), $6 message, $7 channel: one row when held.
   * NOTIFYs a retry to waiting claims, and -1 while a claim is held back by limits.
   */
  fail: string;
  /** $2 id, $3 token, $4 ms: one row when held. */
  extend: string;
  /** $2 id: one row when finished and retained. */
  finished: string;
  /** $2 max attempts, $3 batch size, $4 channel: recovered (back to waiting) and dead counts. Takes the queue's shared lock first. */
  recover: string;
  /** Counts by state, and the dead letters dropped by retainDead (`dead_dropped`). */
  stats: string;
  /** $2 limit: dead letters, newest first (ties by id). */
  dead: string;
  /** $1 batch size: deletes finished and cancelled ids past retention (any queue); the count deleted. */
  prune: string;
  /** $2 id: (state, result, last_error, cancel_reason) of an ended task (finished or cancelled within retention, or dead); no row otherwise. */
  outcome: string;
  /**
   * $2 id, $3 reason (or NULL), $4 retention (ms), $5 channel: cancels a waiting, delayed or active
   * task (a cancelled lease NOTIFYs -1 while a claim is held back by limits). One row: `answer`
   * cancelled|already-cancelled|finished|dead|not-found.
   */
  cancel: string;
  /** $2 id, $3 token, $4 progress (JSON text): one row when held. */
  progress: string;
  /** $2 id: the row's (state, result, progress, last_error, cancel_reason), for an event sent without its big field. */
  reread: string;
  /** $2 watcher, $3 channel, $4 types (bit mask), $5 ms: registers or renews a watcher of the queue's events. */
  watch: string;
  /** $2 watcher: removes a watcher's registration. */
  unwatch: string;
  /** The statements of a handle with limits. */
  limited: LimitedSql;
}

/**
 * The claim statements of a handle with QueueOptions.limits (see the v6 migration): they judge the
 * limits. Parameters as in QueueSql, plus those below. The complete, fail and cancel statements are
 * those of every handle: each one NOTIFYs -1 while a claim is held back (see the v7 migration).
 */
export interface LimitedSql {
  /**
   * QueueSql.claim with $10 channel, $11 concurrency, $12 rate max, $13 rate window (ms) (0: not
   * given), $14 hold (ms: a call held back by concurrency stays marked held this long; 0: do not
   * mark, and sent with no completions only, as for claimWaiting). Rows also: one kind 's' (held
   * until a slot frees) or 'w' (held until the rate window ends) with `n` the ms until the clock
   * may lift the limits, when tasks were ready and none was leased.
   */
  claim: string;
  /** QueueSql.claimWaiting with the parameters of `claim`, then $15 waiter and $16 wait (ms); a held call does not register as waiting. */
  claimWaiting: string;
  /** QueueSql.claimLeaving with the parameters of `claim`, then $15 waiter. */
  claimLeaving: string;
}

/**
 * The NOTIFY of a queue's channel when a task became ready (or due sooner): payload = ms until it
 * is due. Only while someone waits, looked up under the queue's shared lock with a fresh snapshot
 * (see the v4 migration's queue_notify). One row when it notified.
 */
function notifyIfWaited(s: string, dueSql: string, channel: string): string {
  return `SELECT 1 FROM (SELECT ${s}.queue_notify($1, ${channel}, (${dueSql})) AS sent) n WHERE n.sent`;
}

/** Builds the statements for the quoted schema `s`. */
export function queueSql(s: string): QueueSql {
  const now = `${s}.now_ms()`;
  // A stored id can be queued afresh once it left the live states: dead, or past its retention.
  const reusable = `(t.state = 2 OR (t.state IN (3, 4) AND t.expires_at <= ${now}))`;
  const requeue = `state = 0, priority = excluded.priority, run_at = excluded.run_at, seq = excluded.seq, attempt = 0,
          enqueued_at = excluded.enqueued_at, payload = excluded.payload, headers = excluded.headers, token = NULL, deadline = NULL, last_error = NULL,
          dead_at = NULL, expires_at = NULL, result = NULL, progress = NULL, cancel_reason = NULL, holder = NULL, ended_at = NULL`;
  const statusOf = (old: string): string =>
    `CASE WHEN ${old}.state = 3 AND ${old}.expires_at > ${now} THEN 'f' WHEN ${old}.state = 4 AND ${old}.expires_at > ${now} THEN 'c' ELSE 'd' END`;
  return {
    enqueue: `
      WITH gate AS (
        SELECT ${s}.queue_enter($1) AS open
      ), input AS (
        SELECT i.* FROM gate, unnest($2::text[], $3::text[], $4::bigint[], $6::int[], $7::text[]) WITH ORDINALITY AS i(id, payload, delay_ms, priority, headers, ord)
        WHERE gate.open
      ), firsts AS (
        SELECT DISTINCT ON (id) id, payload, delay_ms, priority, headers, ord FROM input ORDER BY id, ord
      ), numbered AS (
        SELECT firsts.*, nextval('${s}.task_seq') AS seq FROM firsts ORDER BY ord
      ), ins AS (
        INSERT INTO ${s}.tasks AS t (queue, id, state, priority, run_at, seq, attempt, enqueued_at, payload, headers)
        SELECT $1, id, 0, priority, ${now} + delay_ms, seq, 0, ${now}, payload, headers FROM numbered ORDER BY id
        ON CONFLICT (queue, id) DO UPDATE SET ${requeue}
          WHERE ${reusable}
        RETURNING t.id, t.run_at
      ), notify AS (
        ${notifyIfWaited(s, `SELECT greatest(min(run_at) - ${now}, 0) FROM ins`, '$5')}
      ), events AS (
        ${emitEvents(s, now, idListEvents('enqueued', 'SELECT ins.id, f.ord AS n FROM ins JOIN firsts f ON f.id = ins.id', now, 0))}
      )
      SELECT i.ord::int AS ord,
        CASE WHEN ins.id IS NOT NULL AND f.ord = i.ord THEN 'q' ELSE ${statusOf('old')} END AS status
      FROM input i
      JOIN firsts f ON f.id = i.id
      LEFT JOIN ins ON ins.id = i.id
      LEFT JOIN ${s}.tasks old ON old.queue = $1 AND old.id = i.id
      UNION ALL SELECT -1, 'n' FROM notify
      UNION ALL SELECT -2, 'e' WHERE (SELECT count(*) FROM events) < 0`,
    enqueueOne: `
      WITH ins AS (
        INSERT INTO ${s}.tasks AS t (queue, id, state, priority, run_at, seq, attempt, enqueued_at, payload, headers)
        SELECT $1, $2, 0, $6, ${now} + $4, nextval('${s}.task_seq'), 0, ${now}, $3, $7 WHERE ${s}.queue_enter($1)
        ON CONFLICT (queue, id) DO UPDATE SET ${requeue}
          WHERE ${reusable}
        RETURNING t.id, t.run_at
      ), notify AS (
        ${notifyIfWaited(s, `SELECT greatest(min(run_at) - ${now}, 0) FROM ins`, '$5')}
      ), events AS (
        ${emitEvents(s, now, idListEvents('enqueued', 'SELECT id, 1 AS n FROM ins', now, 0))}
      )
      SELECT CASE WHEN EXISTS (SELECT 1 FROM ins) THEN 'q'
        ELSE coalesce((SELECT ${statusOf('old')} FROM ${s}.tasks old WHERE old.queue = $1 AND old.id = $2), 'd') END AS status,
        (SELECT count(*) FROM notify)::int AS notified, (SELECT count(*) FROM events)::int AS events`,
    ...claimSql(s, false),
    complete: completeSql(s, now),
    fail: failSql(s, now),
    extend: `UPDATE ${s}.tasks SET deadline = ${now} + $4 WHERE queue = $1 AND id = $2 AND token = $3 AND state = 1 RETURNING 1`,
    finished: `SELECT 1 FROM ${s}.tasks WHERE queue = $1 AND id = $2 AND state = 3 AND expires_at > ${now}`,
    recover: `
      WITH gate AS (
        SELECT ${s}.queue_gate($1, true) AS open
      ), expired AS (
        SELECT id FROM ${s}.tasks WHERE queue = $1 AND state = 1 AND deadline <= ${now} AND (SELECT open FROM gate)
        ORDER BY deadline LIMIT $3 FOR UPDATE SKIP LOCKED
      ), moved AS (
        UPDATE ${s}.tasks t SET state = CASE WHEN t.attempt >= $2 THEN 2 ELSE 0 END, run_at = 0, token = NULL, deadline = NULL, progress = NULL,
          dead_at = CASE WHEN t.attempt >= $2 THEN ${now} END,
          last_error = CASE WHEN t.attempt >= $2 THEN 'stalled: the lease of attempt ' || t.attempt || ' expired on the last attempt (the worker stalled or died)' ELSE t.last_error END
        FROM expired WHERE t.queue = $1 AND t.id = expired.id
        RETURNING t.id, t.state, t.attempt
      ), notify AS (
        ${notifyIfWaited(s, `SELECT CASE WHEN count(*) > 0 THEN 0 END FROM moved WHERE state = 0`, '$4')}
      ), events AS (
        ${emitEvents(
          s,
          now,
          failureEvents(
            now,
            `SELECT id, attempt, 'stalled: the lease of attempt ' || attempt || ' expired before the task was completed' AS last_error, state = 2 AS died,
              row_number() OVER () AS n FROM moved`,
          ),
        )}
      )
      SELECT (SELECT count(*) FROM moved WHERE state = 0)::int AS recovered, (SELECT count(*) FROM moved WHERE state = 2)::int AS dead,
        (SELECT count(*) FROM notify)::int AS notified, (SELECT count(*) FROM events)::int AS events`,
    stats: `SELECT
        (SELECT count(*) FROM ${s}.tasks WHERE queue = $1 AND state = 0 AND run_at <= ${now})::int AS waiting,
        (SELECT count(*) FROM ${s}.tasks WHERE queue = $1 AND state = 1)::int AS active,
        (SELECT count(*) FROM ${s}.tasks WHERE queue = $1 AND state = 0 AND run_at > ${now})::int AS delayed,
        (SELECT count(*) FROM ${s}.tasks WHERE queue = $1 AND state = 2)::int AS dead,
        coalesce((SELECT dead_dropped FROM ${s}.queues WHERE queue = $1), 0)::float8 AS dead_dropped`,
    dead: `SELECT id, payload, attempt, enqueued_at, last_error, priority, headers FROM ${s}.tasks WHERE queue = $1 AND state = 2 ORDER BY dead_at DESC, id LIMIT $2`,
    prune: `DELETE FROM ${s}.tasks WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM ${s}.tasks WHERE state IN (3, 4) AND expires_at <= ${now} LIMIT $1 FOR UPDATE SKIP LOCKED))`,
    ...outcomeSql(s, now),
    limited: claimSql(s, true),
  };
}

/**
 * The CTE body that tells claims held back by limits that a slot freed (see the v7 migration's
 * queue_freed) when `source` has rows; `channel` is the channel's parameter. Selects one row when
 * it notified.
 */
function slotFreed(s: string, source: string, channel: string): string {
  return `SELECT 1 FROM (SELECT ${s}.queue_freed($1, ${channel}) AS sent WHERE EXISTS (${source})) f WHERE f.sent`;
}

/**
 * The CTE body of a freeing statement's first step (see the v7 migration's queue_gate): the
 * queue's shared lock before any task row, when `always` (SQL) or when the queue has limits.
 */
function gate(s: string, always: string): string {
  return `SELECT ${s}.queue_gate($1, ${always}) AS open`;
}

/** QueueSql.complete: the gate, then the rows in id order (see lockInIdOrder). */
function completeSql(s: string, now: string): string {
  return `
      WITH gate AS (
        ${gate(s, 'false')}
      ), locked AS (
        ${lockInIdOrder(s, '$2')}
      ), done AS (
        UPDATE ${s}.tasks t SET state = 3, payload = '', token = NULL, deadline = NULL, expires_at = ${now} + $5, ended_at = ${now}, result = c.result, progress = NULL
        FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS c(id, token, result, n)
        WHERE t.queue = $1 AND t.id = c.id AND t.token = c.token AND t.state = 1 AND (SELECT open FROM gate) AND (SELECT count(*) FROM locked) >= 0
        RETURNING t.id, t.result, c.n
      ), freed AS (
        ${slotFreed(s, 'SELECT 1 FROM done', '$6')}
      ), events AS (
        ${emitEvents(s, now, completedEvents(now, 'done'))}
      )
      SELECT id FROM done UNION ALL SELECT NULL WHERE (SELECT count(*) FROM events) < 0 UNION ALL SELECT NULL FROM freed`;
}

/** QueueSql.fail: the gate is always shut before the row when the task may retry (queue_notify takes the lock). */
function failSql(s: string, now: string): string {
  return `
      WITH gate AS (
        ${gate(s, 'NOT $4::boolean')}
      ), failed AS (
        UPDATE ${s}.tasks SET state = CASE WHEN $4 THEN 2 ELSE 0 END, run_at = ${now} + $5, last_error = $6, token = NULL, deadline = NULL,
          dead_at = CASE WHEN $4 THEN ${now} END, progress = NULL
        WHERE queue = $1 AND id = $2 AND token = $3 AND state = 1 AND (SELECT open FROM gate)
        RETURNING id, state, run_at, attempt, last_error
      ), notify AS (
        ${notifyIfWaited(s, `SELECT greatest(min(run_at) - ${now}, 0) FROM failed WHERE state = 0`, '$7')}
      ), freed AS (
        ${slotFreed(s, 'SELECT 1 FROM failed', '$7')}
      ), events AS (
        ${emitEvents(s, now, failureEvents(now, 'SELECT id, attempt, last_error, state = 2 AS died, 1 AS n FROM failed'))}
      )
      SELECT 'held' AS kind FROM failed UNION ALL SELECT 'notified' FROM notify UNION ALL SELECT 'events' WHERE (SELECT count(*) FROM events) < 0
      UNION ALL SELECT 'freed' FROM freed`;
}

/** Event rows `failed` (and `dead` for those that died) from `source`: (id, attempt, last_error, died, n). */
function failureEvents(now: string, source: string): string {
  const event = (type: 'failed' | 'dead', extra: string, reducedExtra: string): string =>
    bounded(
      `json_build_object('type', '${type}', 'at', ${now}, 'id', id, 'attempt', attempt, 'error', last_error${extra})`,
      `json_build_object('type', '${type}', 'at', ${now}, 'id', id, 'attempt', attempt${reducedExtra})`,
    );
  return `SELECT 2 * n AS k, ${EVENT_BITS.failed} AS bit, ${event('failed', `, 'willRetry', NOT died`, `, 'willRetry', NOT died`)} AS ev FROM (${source}) f
    UNION ALL
    SELECT 2 * n + 1, ${EVENT_BITS.dead}, ${event('dead', '', '')} FROM (${source}) f WHERE died`;
}

/** QueueSql.cancel: a cancelled active task frees its slot. */
function cancelSql(s: string, now: string): string {
  return `
      WITH gate AS (
        ${gate(s, 'false')}
      ), old AS (
        SELECT id, state, run_at, expires_at FROM ${s}.tasks WHERE queue = $1 AND id = $2 AND (SELECT open FROM gate) FOR UPDATE
      ), cancelled AS (
        UPDATE ${s}.tasks t SET state = 4, payload = '', token = NULL, deadline = NULL, progress = NULL, result = NULL,
          expires_at = ${now} + $4, ended_at = ${now}, cancel_reason = $3
        FROM old WHERE t.queue = $1 AND t.id = $2 AND old.state IN (0, 1)
        RETURNING CASE WHEN old.state = 1 THEN 'active' WHEN old.run_at > ${now} THEN 'delayed' ELSE 'waiting' END AS from_state
      ), freed AS (
        ${slotFreed(s, `SELECT 1 FROM cancelled WHERE from_state = 'active'`, '$5')}
      ), events AS (
        ${emitEvents(
          s,
          now,
          `SELECT 1 AS k, ${EVENT_BITS.cancelled} AS bit, CASE WHEN $3::text IS NULL
              THEN json_build_object('type', 'cancelled', 'at', ${now}, 'id', $2::text, 'from', from_state)::text ELSE ${bounded(
                `json_build_object('type', 'cancelled', 'at', ${now}, 'id', $2::text, 'from', from_state, 'reason', $3::text)`,
                `json_build_object('type', 'cancelled', 'at', ${now}, 'id', $2::text, 'from', from_state)`,
              )} END AS ev FROM cancelled`,
        )}
      )
      SELECT CASE
        WHEN EXISTS (SELECT 1 FROM cancelled) THEN 'cancelled'
        WHEN o.state = 4 AND o.expires_at > ${now} THEN 'already-cancelled'
        WHEN o.state = 3 AND o.expires_at > ${now} THEN 'finished'
        WHEN o.state = 2 THEN 'dead'
        ELSE 'not-found' END AS answer, (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM freed)::int AS freed
      FROM (SELECT 1) one LEFT JOIN old o ON true`;
}

/** The statements of results, cancellation, progress and watching. */
function outcomeSql(s: string, now: string): Pick<QueueSql, 'outcome' | 'cancel' | 'progress' | 'reread' | 'watch' | 'unwatch'> {
  return {
    outcome: `SELECT state, result, last_error, cancel_reason FROM ${s}.tasks
      WHERE queue = $1 AND id = $2 AND (state = 2 OR (state IN (3, 4) AND expires_at > ${now}))`,
    cancel: cancelSql(s, now),
    progress: `
      WITH held AS (
        UPDATE ${s}.tasks SET progress = $4 WHERE queue = $1 AND id = $2 AND token = $3 AND state = 1 RETURNING id
      ), events AS (
        ${emitEvents(
          s,
          now,
          `SELECT 1 AS k, ${EVENT_BITS.progress} AS bit, ${bounded(
            `json_build_object('type', 'progress', 'at', ${now}, 'id', id, 'progress', $4::json)`,
            `json_build_object('type', 'progress', 'at', ${now}, 'id', id)`,
          )} AS ev FROM held`,
        )}
      )
      SELECT 1 AS held, (SELECT count(*) FROM events)::int AS events FROM held`,
    reread: `SELECT state, result, progress, last_error, cancel_reason FROM ${s}.tasks WHERE queue = $1 AND id = $2`,
    watch: `INSERT INTO ${s}.queue_watchers (queue, watcher, channel, types, until) VALUES ($1, $2, $3, $4, ${now} + $5)
      ON CONFLICT (queue, watcher) DO UPDATE SET channel = excluded.channel, types = excluded.types, until = excluded.until`,
    unwatch: `DELETE FROM ${s}.queue_watchers WHERE queue = $1 AND watcher = $2`,
  };
}
