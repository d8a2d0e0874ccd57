/**
 * Migration 6: queue limits (QueueOptions.limits). `s` is the quoted schema name.
 *
 * - `queue_limits` (logged: a rate window must not reopen early after a crash) holds one row per
 *   queue that a handle with limits leased from: `window_start`, the database ms the current rate
 *   window opened (0: none yet), `started`, the leases started in it, and `held_until`, until when
 *   a claim waits held back by `concurrency` (database ms). The row is the queue's lock for
 *   limited claims: `queue_claim_limited` takes it FOR UPDATE before it counts, so two limited
 *   claims of one queue, on any node, judge one after the other.
 * - `queue_claim_limited` is the lease step of a handle with limits, called from its claim
 *   statement after the statement's completions (which it then sees). Under the row lock, with
 *   snapshots taken after it and the database clock read after it (`clock_timestamp()`), it counts
 *   the queue's live leases (active with a deadline after now, so an expired lease frees its slot
 *   at its deadline) against `concurrency`, judges the rate window (it opens with the first lease
 *   after the previous one ended and lasts `per_ms`), leases at most what both allow in the ready
 *   order, and counts what it started. A call that leases nothing while tasks are ready answers
 *   one row saying why and for how long: kind 's' (a slot must free: a completion, fail or
 *   cancellation, or the clock at the earliest live deadline) or 'w' (the rate window must end:
 *   only the clock helps), `n` = ms until the clock lifts it. With `hold_ms` > 0 an 's' call also
 *   marks the queue held for that long, after the queue's exclusive lock (see the v4 migration).
 *   0 for `concurrency` or `rate_max`: not given.
 * - `queue_slot_freed` is called by the statements of a handle with limits that free a slot: it
 *   NOTIFYs the queue's channel with -1 while a claim is held, under the queue's shared lock, so a
 *   held claim's registration and a freeing statement never miss each other.
 */
export function v6Limits(s: string): string {
  // the key of the queue's shared lock (see the v4 migration's queue_enter)
  const key = `hashtext('baton.queue:${s.slice(1, -1)}'), hashtext(q)`;
  return `
CREATE TABLE ${s}.queue_limits (
  queue text PRIMARY KEY,
  window_start bigint NOT NULL DEFAULT 0,
  started integer NOT NULL DEFAULT 0,
  held_until bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION ${s}.queue_claim_limited(q text, want integer, visibility bigint, token_base text, taker text,
    concurrency integer, rate_max integer, per_ms bigint, hold_ms bigint)
RETURNS TABLE (kind text, id text, payload text, attempt integer, enqueued_at bigint, token text, last_error text,
    priority integer, headers text, deadline bigint, n bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  l ${s}.queue_limits;
  t bigint;
  allowed integer := want;
  live integer;
  earliest bigint;
  in_window integer := 0;
  slot_lift bigint := 0;
  window_lift bigint := 0;
  got integer;
  why text;
BEGIN
  IF EXISTS (SELECT 1 FROM ${s}.queues p WHERE p.queue = q AND p.paused) THEN
    RETURN;
  END IF;
  SELECT * INTO l FROM ${s}.queue_limits x WHERE x.queue = q FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO ${s}.queue_limits AS x (queue) VALUES (q) ON CONFLICT (queue) DO NOTHING;
    SELECT * INTO l FROM ${s}.queue_limits x WHERE x.queue = q FOR UPDATE;
  END IF;
  -- read after the lock: a claim that waited for it judges by the time it judges
  t := floor(date_part('epoch', clock_timestamp()) * 1000)::bigint;
  IF concurrency > 0 THEN
    SELECT count(*), min(x.deadline) INTO live, earliest FROM ${s}.tasks x WHERE x.queue = q AND x.state = 1 AND x.deadline > t;
    allowed := least(allowed, concurrency - live);
    IF live >= concurrency THEN
      slot_lift := earliest - t;
    END IF;
  END IF;
  IF rate_max > 0 THEN
    IF l.window_start + per_ms > t THEN
      in_window := l.started;
    END IF;
    allowed := least(allowed, rate_max - in_window);
    IF in_window >= rate_max THEN
      window_lift := l.window_start + per_ms - t;
    END IF;
  END IF;
  IF allowed <= 0 THEN
    IF EXISTS (SELECT 1 FROM ${s}.tasks x WHERE x.queue = q AND x.state = 0 AND x.run_at <= t) THEN
      why := CASE WHEN window_lift > 0 AND window_lift >= slot_lift THEN 'w' ELSE 's' END;
      IF why = 's' AND hold_ms > 0 THEN
        -- registered as held back after the freeing statements in flight committed (as queue_block
        -- does for queue_waiters), so the caller's second look sees their slots
        PERFORM ${s}.queue_block(q);
        UPDATE ${s}.queue_limits x SET held_until = greatest(x.held_until, t + hold_ms) WHERE x.queue = q;
      END IF;
      RETURN QUERY SELECT why,
        NULL::text, NULL::text, NULL::integer, NULL::bigint, NULL::text, NULL::text, NULL::integer, NULL::text, NULL::bigint,
        greatest(window_lift, slot_lift, 1);
    END IF;
    RETURN;
  END IF;
  RETURN QUERY
    WITH next AS (
      SELECT ready.id, row_number() OVER () AS n FROM (
        SELECT x.id FROM ${s}.tasks x WHERE x.queue = q AND x.state = 0 AND x.run_at <= t
        ORDER BY x.priority DESC, x.run_at, x.seq LIMIT allowed FOR UPDATE SKIP LOCKED
      ) ready
    ), claimed AS (
      UPDATE ${s}.tasks x SET state = 1, attempt = x.attempt + 1, token = token_base || '.' || next.n, deadline = t + visibility,
        progress = NULL, holder = taker
      FROM next WHERE x.queue = q AND x.id = next.id
      RETURNING x.id, x.payload, x.attempt, x.enqueued_at, x.token, x.last_error, x.priority, x.headers, x.deadline, next.n
    )
    SELECT 'l'::text, c.id, c.payload, c.attempt, c.enqueued_at, c.token, c.last_error, c.priority, c.headers, c.deadline, c.n FROM claimed c;
  GET DIAGNOSTICS got = ROW_COUNT;
  IF got > 0 AND rate_max > 0 THEN
    IF l.window_start + per_ms > t THEN
      UPDATE ${s}.queue_limits x SET started = x.started + got WHERE x.queue = q;
    ELSE
      UPDATE ${s}.queue_limits x SET window_start = t, started = got WHERE x.queue = q;
    END IF;
  END IF;
END $$;

-- NOTIFYs channel with -1 while a claim is held back on queue q, looking with a snapshot taken
-- now under the queue's shared lock (see queue_notify).
CREATE FUNCTION ${s}.queue_slot_freed(q text, channel text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(${key});
  IF EXISTS (SELECT 1 FROM ${s}.queue_limits WHERE queue = q AND held_until > ${s}.now_ms()) THEN
    PERFORM pg_notify(channel, '-1');
    RETURN true;
  END IF;
  RETURN false;
END $$;
`;
}
