import type { PurgeableState, TaskState } from '@baton/core';

/**
 * The inspection and admin statements of a queue, built once per schema. `$1` is always the queue
 * name; times are database ms (`now_ms()`). Each is one statement (one round trip, atomic).
 */
export interface AdminSql {
  /** Marks queue $1 known (a no-op when it is). */
  known: string;
  /** The known queues' names, in code-point order. */
  queues: string;
  /** $2 id: the task's row with `now` (database ms); no row for an unknown id or a finished or cancelled id past retention. */
  get: string;
  /**
   * One page per state: $2 limit, then the position to start after ($3…, all NULL for the first
   * page; see list-position.ts). Rows in the state's order, at most limit + 1, so the caller knows
   * whether more follow.
   */
  list: Record<TaskState, string>;
  /** Sets queue $1's paused flag (making the queue known). */
  pause: string;
  /**
   * Clears queue $1's paused flag; when it was set, NOTIFYs channel $2 (while someone waits) so
   * blocked claims of every node look again at once. Holds the queue's shared lock before it
   * writes, as an enqueue does, so a claim registering as waiting meanwhile sees it (see v4).
   */
  resume: string;
  /** Queue $1's paused flag: one row (`paused`). */
  isPaused: string;
  /**
   * $2 ids (or NULL: any), $3 most, $4 channel: moves up to $3 dead letters (oldest first) to the
   * back of their priority's ready order with attempt 0, and NOTIFYs waiting claims. One row: `moved`.
   */
  retryDead: string;
  /** $2 id: forgets it unless it is active. One row: `answer` removed|active|not-found. */
  remove: string;
  /** Per state, $2 most: removes up to that many tasks in the state. One row: `n`. */
  purge: Record<PurgeableState, string>;
  /**
   * $2 count, $3 age (ms), $4 most: drops up to $4 of the oldest dead letters beyond the newest
   * $2 or older than $3 (skipping rows another statement has locked), and adds them to the
   * queue's `dead_dropped`. One row: `dropped`.
   */
  pruneDead: string;
}

/** The columns `get` and `list` read, in the shape of TaskInfoRow. */
const COLUMNS = `id, state, priority, run_at, seq, attempt, enqueued_at, payload, headers, deadline, holder, last_error, dead_at, ended_at, result, progress,
  cancel_reason`;

/** Builds the statements for the quoted schema `s`. */
export function adminSql(s: string): AdminSql {
  const now = `${s}.now_ms()`;
  // Keyset pages: a position names a place in the order, so rows that leave the state between
  // pages shift nothing. Mixed directions are spelt out so the index bound applies to the first key.
  const newestFirst = (column: string, where: string): string => `SELECT ${COLUMNS}, ${now} AS now FROM ${s}.tasks
    WHERE queue = $1 AND ${where} AND ($3::bigint IS NULL OR ${column} < $3 OR (${column} = $3 AND id > $4::text))
    ORDER BY ${column} DESC, id LIMIT $2 + 1`;
  const retained = `expires_at > ${now}`;
  // `where` gives the state's condition on the columns of a table alias.
  const purge = (where: (t: string) => string): string => `WITH gone AS (
      DELETE FROM ${s}.tasks t WHERE t.queue = $1 AND ${where('t.')} AND t.id = ANY (ARRAY(
        SELECT id FROM ${s}.tasks u WHERE u.queue = $1 AND ${where('u.')} LIMIT $2 FOR UPDATE SKIP LOCKED))
      RETURNING 1
    ) SELECT count(*)::int AS n FROM gone`;
  return {
    known: `INSERT INTO ${s}.queues (queue) VALUES ($1) ON CONFLICT (queue) DO NOTHING`,
    queues: `SELECT queue FROM ${s}.queues ORDER BY queue COLLATE "C"`,
    get: `SELECT ${COLUMNS}, ${now} AS now FROM ${s}.tasks WHERE queue = $1 AND id = $2 AND (state IN (0, 1, 2) OR ${retained})`,
    list: {
      // lease order: $3 priority, $4 run_at, $5 seq
      waiting: `SELECT ${COLUMNS}, ${now} AS now FROM ${s}.tasks
        WHERE queue = $1 AND state = 0 AND run_at <= ${now}
          AND ($3::int IS NULL OR priority < $3 OR (priority = $3 AND (run_at, seq) > ($4::bigint, $5::bigint)))
        ORDER BY priority DESC, run_at, seq LIMIT $2 + 1`,
      // due time: $3 run_at, $4 id (no index has this order: a page sorts the queue's delayed tasks)
      delayed: `SELECT ${COLUMNS}, ${now} AS now FROM ${s}.tasks
        WHERE queue = $1 AND state = 0 AND run_at > ${now} AND ($3::bigint IS NULL OR (run_at, id) > ($3, $4::text))
        ORDER BY run_at, id LIMIT $2 + 1`,
      // lease deadline: $3 deadline, $4 id
      active: `SELECT ${COLUMNS}, ${now} AS now FROM ${s}.tasks
        WHERE queue = $1 AND state = 1 AND ($3::bigint IS NULL OR deadline > $3 OR (deadline = $3 AND id > $4::text))
        ORDER BY deadline, id LIMIT $2 + 1`,
      dead: newestFirst('dead_at', 'state = 2'),
      finished: newestFirst('ended_at', `state = 3 AND ${retained}`),
      cancelled: newestFirst('ended_at', `state = 4 AND ${retained}`),
    },
    pause: `INSERT INTO ${s}.queues AS q (queue, paused) VALUES ($1, true) ON CONFLICT (queue) DO UPDATE SET paused = true WHERE NOT q.paused`,
    resume: `
      WITH opened AS (
        UPDATE ${s}.queues SET paused = false WHERE queue = $1 AND paused AND ${s}.queue_enter($1) RETURNING 1
      )
      SELECT (SELECT count(*) FROM opened)::int AS opened,
        ${s}.queue_notify($1, $2, (SELECT CASE WHEN count(*) > 0 THEN 0 END FROM opened)) AS notified`,
    isPaused: `SELECT coalesce((SELECT paused FROM ${s}.queues WHERE queue = $1), false) AS paused`,
    retryDead: `
      WITH gate AS (
        SELECT ${s}.queue_enter($1) AS open
      ), picked AS (
        SELECT id FROM ${s}.tasks WHERE queue = $1 AND state = 2 AND ($2::text[] IS NULL OR id = ANY ($2::text[])) AND (SELECT open FROM gate)
        ORDER BY dead_at, id DESC LIMIT $3 FOR UPDATE SKIP LOCKED
      ), moved AS (
        UPDATE ${s}.tasks t SET state = 0, attempt = 0, run_at = ${now}, seq = nextval('${s}.task_seq'), dead_at = NULL
        FROM picked WHERE t.queue = $1 AND t.id = picked.id
        RETURNING t.id
      ), notify AS (
        SELECT 1 FROM (SELECT ${s}.queue_notify($1, $4, (SELECT CASE WHEN count(*) > 0 THEN 0 END FROM moved)) AS sent) n WHERE n.sent
      )
      SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM notify)::int AS notified`,
    remove: `
      WITH old AS (
        SELECT state, expires_at FROM ${s}.tasks WHERE queue = $1 AND id = $2 FOR UPDATE
      ), gone AS (
        DELETE FROM ${s}.tasks t USING old WHERE t.queue = $1 AND t.id = $2 AND old.state <> 1
        RETURNING old.state IN (0, 2) OR old.expires_at > ${now} AS live
      )
      SELECT CASE WHEN EXISTS (SELECT 1 FROM gone WHERE live) THEN 'removed'
        WHEN EXISTS (SELECT 1 FROM old WHERE state = 1) THEN 'active' ELSE 'not-found' END AS answer`,
    purge: {
      waiting: purge((t) => `${t}state = 0 AND ${t}run_at <= ${now}`),
      delayed: purge((t) => `${t}state = 0 AND ${t}run_at > ${now}`),
      dead: purge((t) => `${t}state = 2`),
      finished: purge((t) => `${t}state = 3 AND ${t}expires_at > ${now}`),
      cancelled: purge((t) => `${t}state = 4 AND ${t}expires_at > ${now}`),
    },
    pruneDead: `
      WITH cut AS (
        SELECT dead_at, id FROM ${s}.tasks WHERE queue = $1 AND state = 2 ORDER BY dead_at DESC, id OFFSET $2 LIMIT 1
      ), doomed AS (
        SELECT id FROM (
          (SELECT id FROM ${s}.tasks WHERE queue = $1 AND state = 2 AND dead_at <= greatest(${now} - $3, (SELECT dead_at - 1 FROM cut))
            ORDER BY dead_at, id DESC LIMIT $4)
          UNION
          (SELECT id FROM ${s}.tasks WHERE queue = $1 AND state = 2 AND dead_at = (SELECT dead_at FROM cut) AND id >= (SELECT id FROM cut) LIMIT $4)
        ) both_cuts LIMIT $4
      ), locked AS (
        -- SKIP LOCKED: a dead letter being re-queued, retried or removed is leaving anyway, and the
        -- retention then never waits for a row (an enqueue locks the rows of several ids in id order)
        SELECT id FROM ${s}.tasks WHERE queue = $1 AND state = 2 AND id IN (SELECT id FROM doomed) FOR UPDATE SKIP LOCKED
      ), gone AS (
        DELETE FROM ${s}.tasks t WHERE t.queue = $1 AND t.state = 2 AND t.id IN (SELECT id FROM locked) RETURNING 1
      ), counted AS (
        INSERT INTO ${s}.queues AS q (queue, dead_dropped) SELECT $1, count(*) FROM gone HAVING count(*) > 0
        ON CONFLICT (queue) DO UPDATE SET dead_dropped = q.dead_dropped + excluded.dead_dropped
      )
      SELECT count(*)::int AS dropped FROM gone`,
  };
}
