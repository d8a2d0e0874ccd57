import { completedEvents, emitEvents, idListEvents } from './event-sql.js';

/**
 * The CTE body that locks the active rows of the ids in `ids` (a text[] parameter) in id order,
 * after the statement's `gate`, when there are several: an enqueue locks the rows of existing ids
 * in id order too, while an UPDATE joined to the ids visits them in its plan's order (by
 * deadline, say), so a batch of completions and an enqueue of the same ids could each hold a row
 * the other waits for. The UPDATE that follows finds its rows locked by its own transaction.
 */
export function lockInIdOrder(s: string, ids: string): string {
  return `SELECT t.id FROM ${s}.tasks t
        WHERE t.queue = $1 AND t.id = ANY (${ids}::text[]) AND t.state = 1 AND cardinality(${ids}::text[]) > 1 AND (SELECT open FROM gate)
        ORDER BY t.id FOR NO KEY UPDATE`;
}

/** The claim statements of one kind of handle (see QueueSql.claim). */
export interface ClaimSql {
  claim: string;
  claimWaiting: string;
  claimLeaving: string;
}

/**
 * Builds the claim statements for the quoted schema `s`: completions of the turn first, then the
 * lease step. A plain handle's step is the index scan of the ready order (FOR UPDATE SKIP LOCKED)
 * and one UPDATE. A handle with limits calls `queue_claim_limited` (see the v6 migration) instead,
 * gated on the completions so that it sees the slots they freed. Its rows then also hold one kind
 * 's' or 'w' row when the limits held the call back (`n`: ms until the clock may lift them).
 * A claim that carries completions passes its gate first (`queue_gate`, or `queue_limited_gate`
 * with limits: see the v7 migration), then locks their rows in id order (see lockInIdOrder), and
 * calls `queue_freed` once something completed, whatever the handle: a claim held back by
 * concurrency hears of the slot.
 */
export function claimSql(s: string, limited: boolean): ClaimSql {
  const now = `${s}.now_ms()`;
  // $11/$12 (plain) or $15/$16 (limited): the waiter and its wait, see QueueSql.claimWaiting
  const [waiter, waitMs] = limited ? ['$15', '$16'] : ['$11', '$12'];
  // the limits row (with limits), then the queue's shared lock, then the task rows (see the v7 migration)
  const gate = `gate AS (
      SELECT CASE WHEN cardinality($5::text[]) > 0 THEN ${s}.${limited ? 'queue_limited_gate($1)' : 'queue_gate($1, false)'} ELSE true END AS open
    )`;
  const take = limited
    ? `taken AS MATERIALIZED (
      SELECT * FROM ${s}.queue_claim_limited($1, $2, $3, $4, $9, $11, $12, $13, $14) WHERE (SELECT count(*) FROM done) >= 0
    ), claimed AS (
      SELECT id, payload, attempt, enqueued_at, token, last_error, priority, headers, deadline, n FROM taken WHERE kind = 'l'
    ), freed AS (
      SELECT 1 FROM (SELECT ${s}.queue_freed($1, $10) AS sent WHERE EXISTS (SELECT 1 FROM done) AND (SELECT count(*) FROM taken) >= 0) f WHERE f.sent
    )`
    : `next AS (
      SELECT id, row_number() OVER () AS n FROM (
        SELECT id FROM ${s}.tasks WHERE queue = $1 AND state = 0 AND run_at <= ${now}
          AND NOT EXISTS (SELECT 1 FROM ${s}.queues p WHERE p.queue = $1 AND p.paused)
        ORDER BY priority DESC, run_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED
      ) ready
    ), claimed AS (
      UPDATE ${s}.tasks t SET state = 1, attempt = t.attempt + 1, token = $4 || '.' || next.n, deadline = ${now} + $3, progress = NULL, holder = $9
      FROM next WHERE t.queue = $1 AND t.id = next.id
      RETURNING t.id, t.payload, t.attempt, t.enqueued_at, t.token, t.last_error, t.priority, t.headers, t.deadline, next.n
    ), freed AS (
      SELECT 1 FROM (SELECT ${s}.queue_freed($1, $10) AS sent WHERE EXISTS (SELECT 1 FROM done)) f WHERE f.sent
    )`;
  const held = limited
    ? `
    UNION ALL
    SELECT kind, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n FROM taken WHERE kind <> 'l'`
    : '';
  const body = (extra: string): string => `
    WITH ${gate}, locked AS (
      ${lockInIdOrder(s, '$5')}
    ), done AS (
      UPDATE ${s}.tasks t SET state = 3, payload = '', token = NULL, deadline = NULL, expires_at = ${now} + $8, ended_at = ${now}, result = c.result, progress = NULL
      FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS c(id, token, result, n)
      WHERE t.queue = $1 AND t.id = c.id AND t.token = c.token AND t.state = 1 AND (SELECT open FROM gate) AND (SELECT count(*) FROM locked) >= 0
      RETURNING t.id, t.result, c.n
    ), ${take}, events AS (
      ${emitEvents(s, now, `${completedEvents(now, 'done')} UNION ALL ${idListEvents('active', 'SELECT id, n FROM claimed', now, 1_000_000)}`)}
    )${extra}
    SELECT 'c' AS kind, id, NULL AS payload, NULL::int AS attempt, NULL::bigint AS enqueued_at, NULL AS token, NULL AS last_error,
        NULL::int AS priority, NULL AS headers, NULL::bigint AS deadline, NULL::bigint AS n
      FROM done
    UNION ALL
    SELECT 'l', id, payload, attempt, enqueued_at, token, last_error, priority, headers, deadline, n FROM claimed
    UNION ALL
    SELECT 'n', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        (SELECT min(run_at) - ${now} FROM ${s}.tasks WHERE queue = $1 AND state = 0 AND run_at > ${now})
      WHERE (SELECT count(*) FROM claimed) < $2
    UNION ALL
    SELECT 'e', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE (SELECT count(*) FROM events) < 0 OR (SELECT count(*) FROM freed) < 0${held}`;
  // A held call (limited) registers as held inside queue_claim_limited, not in queue_waiters:
  // enqueues do not wake it, only a freed slot does.
  const claimedOrHeld = limited ? 'taken' : 'claimed';
  return {
    claim: body(''),
    claimWaiting: body(`, idle AS (
      INSERT INTO ${s}.queue_waiters (queue, waiter, until) SELECT $1, ${waiter}, ${now} + ${waitMs}
      WHERE CASE WHEN EXISTS (SELECT 1 FROM ${claimedOrHeld}) THEN false ELSE ${s}.queue_block($1) END
      ON CONFLICT (queue, waiter) DO UPDATE SET until = greatest(${s}.queue_waiters.until, excluded.until)
    )`),
    claimLeaving: body(`, busy AS (
      DELETE FROM ${s}.queue_waiters WHERE queue = $1 AND waiter = ${waiter} AND EXISTS (SELECT 1 FROM claimed)
    )`),
  };
}
