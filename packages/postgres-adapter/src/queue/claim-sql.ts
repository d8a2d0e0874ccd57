import { completedEvents, emitEvents, idListEvents } from './event-sql.js';

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
 * gated on the completions so that it sees the slots they freed, then, when it completed
 * something, `queue_slot_freed` (after the limits row: every statement that takes both takes the
 * limits row first). Its rows then also hold one kind 's' or 'w' row when the limits held the
 * call back (`n`: ms until the clock may lift them).
 */
export function claimSql(s: string, limited: boolean): ClaimSql {
  const now = `${s}.now_ms()`;
  // $10/$11 (plain) or $15/$16 (limited): the waiter and its wait, see QueueSql.claimWaiting
  const [waiter, waitMs] = limited ? ['$15', '$16'] : ['$10', '$11'];
  const take = limited
    ? `taken AS MATERIALIZED (
      SELECT * FROM ${s}.queue_claim_limited($1, $2, $3, $4, $9, $11, $12, $13, $14) WHERE (SELECT count(*) FROM done) >= 0
    ), claimed AS (
      SELECT id, payload, attempt, enqueued_at, token, last_error, priority, headers, deadline, n FROM taken WHERE kind = 'l'
    ), freed AS (
      SELECT 1 FROM (SELECT ${s}.queue_slot_freed($1, $10) AS sent WHERE EXISTS (SELECT 1 FROM done) AND (SELECT count(*) FROM taken) >= 0) f WHERE f.sent
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
    )`;
  const held = limited
    ? `
    UNION ALL
    SELECT kind, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n FROM taken WHERE kind <> 'l'
    UNION ALL
    SELECT 'e', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE (SELECT count(*) FROM freed) < 0`
    : '';
  const body = (extra: string): string => `
    WITH done AS (
      UPDATE ${s}.tasks t SET state = 3, payload = '', token = NULL, deadline = NULL, expires_at = ${now} + $8, ended_at = ${now}, result = c.result, progress = NULL
      FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS c(id, token, result, n)
      WHERE t.queue = $1 AND t.id = c.id AND t.token = c.token AND t.state = 1
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
    SELECT 'e', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE (SELECT count(*) FROM events) < 0${held}`;
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
