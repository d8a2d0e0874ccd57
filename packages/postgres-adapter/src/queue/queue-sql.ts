/**
 * The statements of a queue, built once per schema. Each is one statement (one round trip,
 * atomic) so that they run unchanged through a transaction-pooling proxy. `$1` is always the
 * queue name. Times are database ms (`now_ms()`); durations come in as ms.
 */
export interface QueueSql {
  /**
   * $2 ids, $3 payloads (JSON text), $4 delays (ms), $5 channel, $6 priorities, $7 headers (JSON
   * text or NULL). Rows (ord, status q|d|f) in input order, plus ord -1 when it NOTIFYed.
   */
  enqueue: string;
  /**
   * `enqueue` of one task, without arrays: $2 id, $3 payload, $4 delay (ms), $5 channel, $6
   * priority, $7 headers. One row: status q|d|f.
   */
  enqueueOne: string;
  /**
   * Completes $5/$6 (ids/tokens) with retention $7 ms, then claims up to $2 ready tasks for $3 ms
   * with tokens `$4.<n>`. Rows: kind 'c' (a completion that held: id), kind 'l' (a lease; `n` its
   * rank in the queue's order), and one kind 'n' row whose `n` is the ms until the next delayed
   * task (NULL: none) when fewer than $2 were claimed. `$8` waiter id and `$9` wait (ms): see `claimWaiting`.
   */
  claim: string;
  /** `claim`, and, when nothing was claimed, registers waiter $8 as blocked on the queue for $9 ms. */
  claimWaiting: string;
  /** `claim`, and removes waiter $8's registration when something was claimed. */
  claimLeaving: string;
  /** $2 ids, $3 tokens, $4 retention (ms): the ids that were held and are now finished. */
  complete: string;
  /** $2 id, $3 token, $4 dead (bool), $5 retry in (ms), $6 message, $7 channel: one row when held. */
  fail: string;
  /** $2 id, $3 token, $4 ms: one row when held. */
  extend: string;
  /** $2 id: one row when finished and retained. */
  finished: string;
  /** $2 max attempts, $3 batch size, $4 channel: recovered (back to waiting) and dead counts. */
  recover: string;
  /** Counts by state. */
  stats: string;
  /** $2 limit: dead letters, newest first. */
  dead: string;
  /** $1 batch size: deletes finished ids past retention (any queue); the count deleted. */
  prune: string;
}

/** The NOTIFY of a queue's channel when a task became ready (or due sooner): payload = ms until it is due. Only while someone waits. */
function notifyIfWaited(s: string, dueSql: string, channel: string): string {
  return `SELECT pg_notify(${channel}, (${dueSql})::text) FROM ${s}.queue_waiters w
    WHERE w.queue = $1 AND w.until > ${s}.now_ms() AND (${dueSql}) IS NOT NULL LIMIT 1`;
}

/** Builds the statements for the quoted schema `s`. */
export function queueSql(s: string): QueueSql {
  const now = `${s}.now_ms()`;
  const claimBody = (extra: string): string => `
    WITH done AS (
      UPDATE ${s}.tasks t SET state = 3, payload = '', token = NULL, deadline = NULL, expires_at = ${now} + $7
      FROM unnest($5::text[], $6::text[]) AS c(id, token)
      WHERE t.queue = $1 AND t.id = c.id AND t.token = c.token AND t.state = 1
      RETURNING t.id
    ), next AS (
      SELECT id, row_number() OVER () AS n FROM (
        SELECT id FROM ${s}.tasks WHERE queue = $1 AND state = 0 AND run_at <= ${now}
        ORDER BY priority DESC, run_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED
      ) ready
    ), claimed AS (
      UPDATE ${s}.tasks t SET state = 1, attempt = t.attempt + 1, token = $4 || '.' || next.n, deadline = ${now} + $3
      FROM next WHERE t.queue = $1 AND t.id = next.id
      RETURNING t.id, t.payload, t.attempt, t.enqueued_at, t.token, t.last_error, t.priority, t.headers, next.n
    )${extra}
    SELECT 'c' AS kind, id, NULL AS payload, NULL::int AS attempt, NULL::bigint AS enqueued_at, NULL AS token, NULL AS last_error,
        NULL::int AS priority, NULL AS headers, NULL::bigint AS n
      FROM done
    UNION ALL
    SELECT 'l', id, payload, attempt, enqueued_at, token, last_error, priority, headers, n FROM claimed
    UNION ALL
    SELECT 'n', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        (SELECT min(run_at) - ${now} FROM ${s}.tasks WHERE queue = $1 AND state = 0 AND run_at > ${now})
      WHERE (SELECT count(*) FROM claimed) < $2`;
  return {
    enqueue: `
      WITH input AS (
        SELECT * FROM unnest($2::text[], $3::text[], $4::bigint[], $6::int[], $7::text[]) WITH ORDINALITY AS i(id, payload, delay_ms, priority, headers, ord)
      ), firsts AS (
        SELECT DISTINCT ON (id) id, payload, delay_ms, priority, headers, ord FROM input ORDER BY id, ord
      ), numbered AS (
        SELECT firsts.*, nextval('${s}.task_seq') AS seq FROM firsts ORDER BY ord
      ), ins AS (
        INSERT INTO ${s}.tasks AS t (queue, id, state, priority, run_at, seq, attempt, enqueued_at, payload, headers)
        SELECT $1, id, 0, priority, ${now} + delay_ms, seq, 0, ${now}, payload, headers FROM numbered ORDER BY id
        ON CONFLICT (queue, id) DO UPDATE SET state = 0, priority = excluded.priority, run_at = excluded.run_at, seq = excluded.seq, attempt = 0,
          enqueued_at = excluded.enqueued_at, payload = excluded.payload, headers = excluded.headers, token = NULL, deadline = NULL, last_error = NULL, dead_at = NULL, expires_at = NULL
          WHERE t.state = 3 AND t.expires_at <= ${now}
        RETURNING t.id, t.run_at
      ), notify AS (
        ${notifyIfWaited(s, `SELECT greatest(min(run_at) - ${now}, 0) FROM ins`, '$5')}
      )
      SELECT i.ord::int AS ord,
        CASE WHEN ins.id IS NOT NULL AND f.ord = i.ord THEN 'q' WHEN old.state = 3 AND old.expires_at > ${now} THEN 'f' ELSE 'd' END AS status
      FROM input i
      JOIN firsts f ON f.id = i.id
      LEFT JOIN ins ON ins.id = i.id
      LEFT JOIN ${s}.tasks old ON old.queue = $1 AND old.id = i.id
      UNION ALL SELECT -1, 'n' FROM notify`,
    enqueueOne: `
      WITH ins AS (
        INSERT INTO ${s}.tasks AS t (queue, id, state, priority, run_at, seq, attempt, enqueued_at, payload, headers)
        VALUES ($1, $2, 0, $6, ${now} + $4, nextval('${s}.task_seq'), 0, ${now}, $3, $7)
        ON CONFLICT (queue, id) DO UPDATE SET state = 0, priority = excluded.priority, run_at = excluded.run_at, seq = excluded.seq, attempt = 0,
          enqueued_at = excluded.enqueued_at, payload = excluded.payload, headers = excluded.headers, token = NULL, deadline = NULL, last_error = NULL, dead_at = NULL, expires_at = NULL
          WHERE t.state = 3 AND t.expires_at <= ${now}
        RETURNING t.run_at
      ), notify AS (
        ${notifyIfWaited(s, `SELECT greatest(min(run_at) - ${now}, 0) FROM ins`, '$5')}
      )
      SELECT CASE WHEN EXISTS (SELECT 1 FROM ins) THEN 'q'
        WHEN EXISTS (SELECT 1 FROM ${s}.tasks old WHERE old.queue = $1 AND old.id = $2 AND old.state = 3 AND old.expires_at > ${now}) THEN 'f'
        ELSE 'd' END AS status, (SELECT count(*) FROM notify)::int AS notified`,
    claim: claimBody(''),
    claimWaiting: claimBody(`, idle AS (
      INSERT INTO ${s}.queue_waiters (queue, waiter, until) SELECT $1, $8, ${now} + $9 WHERE NOT EXISTS (SELECT 1 FROM claimed)
      ON CONFLICT (queue, waiter) DO UPDATE SET until = greatest(${s}.queue_waiters.until, excluded.until)
    )`),
    claimLeaving: claimBody(`, busy AS (
      DELETE FROM ${s}.queue_waiters WHERE queue = $1 AND waiter = $8 AND EXISTS (SELECT 1 FROM claimed)
    )`),
    complete: `
      UPDATE ${s}.tasks t SET state = 3, payload = '', token = NULL, deadline = NULL, expires_at = ${now} + $4
      FROM unnest($2::text[], $3::text[]) AS c(id, token)
      WHERE t.queue = $1 AND t.id = c.id AND t.token = c.token AND t.state = 1
      RETURNING t.id`,
    fail: `
      WITH failed AS (
        UPDATE ${s}.tasks SET state = CASE WHEN $4 THEN 2 ELSE 0 END, run_at = ${now} + $5, last_error = $6, token = NULL, deadline = NULL,
          dead_at = CASE WHEN $4 THEN ${now} END
        WHERE queue = $1 AND id = $2 AND token = $3 AND state = 1
        RETURNING state, run_at
      ), notify AS (
        ${notifyIfWaited(s, `SELECT greatest(min(run_at) - ${now}, 0) FROM failed WHERE state = 0`, '$7')}
      )
      SELECT 'held' AS kind FROM failed UNION ALL SELECT 'notified' FROM notify`,
    extend: `UPDATE ${s}.tasks SET deadline = ${now} + $4 WHERE queue = $1 AND id = $2 AND token = $3 AND state = 1 RETURNING 1`,
    finished: `SELECT 1 FROM ${s}.tasks WHERE queue = $1 AND id = $2 AND state = 3 AND expires_at > ${now}`,
    recover: `
      WITH expired AS (
        SELECT id FROM ${s}.tasks WHERE queue = $1 AND state = 1 AND deadline <= ${now} ORDER BY deadline LIMIT $3 FOR UPDATE SKIP LOCKED
      ), moved AS (
        UPDATE ${s}.tasks t SET state = CASE WHEN t.attempt >= $2 THEN 2 ELSE 0 END, run_at = 0, token = NULL, deadline = NULL,
          dead_at = CASE WHEN t.attempt >= $2 THEN ${now} END,
          last_error = CASE WHEN t.attempt >= $2 THEN 'the lease expired on the last attempt (the worker stalled or died)' ELSE t.last_error END
        FROM expired WHERE t.queue = $1 AND t.id = expired.id
        RETURNING t.state
      ), notify AS (
        ${notifyIfWaited(s, `SELECT CASE WHEN count(*) > 0 THEN 0 END FROM moved WHERE state = 0`, '$4')}
      )
      SELECT (SELECT count(*) FROM moved WHERE state = 0)::int AS recovered, (SELECT count(*) FROM moved WHERE state = 2)::int AS dead,
        (SELECT count(*) FROM notify)::int AS notified`,
    stats: `SELECT
        (SELECT count(*) FROM ${s}.tasks WHERE queue = $1 AND state = 0 AND run_at <= ${now})::int AS waiting,
        (SELECT count(*) FROM ${s}.tasks WHERE queue = $1 AND state = 1)::int AS active,
        (SELECT count(*) FROM ${s}.tasks WHERE queue = $1 AND state = 0 AND run_at > ${now})::int AS delayed,
        (SELECT count(*) FROM ${s}.tasks WHERE queue = $1 AND state = 2)::int AS dead`,
    dead: `SELECT id, payload, attempt, enqueued_at, last_error, priority, headers FROM ${s}.tasks WHERE queue = $1 AND state = 2 ORDER BY dead_at DESC, seq DESC LIMIT $2`,
    prune: `DELETE FROM ${s}.tasks WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM ${s}.tasks WHERE state = 3 AND expires_at <= ${now} LIMIT $1 FOR UPDATE SKIP LOCKED))`,
  };
}
