/**
 * Migration 3: counting semaphores and read/write locks (core's PermitStore). `s` is the quoted
 * schema name. Semaphores and read/write locks of one name are separate rows (`kind`).
 *
 * - `permit_resources` (logged): per resource, the limit in force, the permits held by grants, the
 *   fence counter (never reset) and the hand-off counter `seq`.
 * - `permit_grants` (logged): one row per grant (token, permits, fence, expiry in database ms). A
 *   grant lost in a crash would free permits its holder still uses.
 * - `permit_waiters` (unlogged): the line, in order of arrival, live while the waiter's LISTEN
 *   session exists (or, while it opens, until pending_until), as for locks.
 * Every step runs under the resource row's lock and first settles the resource: grants that ran
 * out are dropped, then the waiters that fit are granted in order (nobody passes a live waiter
 * that does not fit yet) and told on their channel "<token> <fence> <granted at ms> <seq>".
 */
export function v3Permits(s: string): string {
  return `
CREATE TABLE ${s}.permit_resources (
  kind text NOT NULL,
  resource text NOT NULL,
  lim bigint NOT NULL DEFAULT 0,
  used bigint NOT NULL DEFAULT 0,
  fence bigint NOT NULL DEFAULT 0,
  seq bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, resource)
);

CREATE TABLE ${s}.permit_grants (
  kind text NOT NULL,
  resource text NOT NULL,
  token text NOT NULL,
  permits bigint NOT NULL,
  fence bigint NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (kind, resource, token)
);

CREATE UNLOGGED TABLE ${s}.permit_waiters (
  kind text NOT NULL,
  resource text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  token text NOT NULL UNIQUE,
  permits bigint NOT NULL,
  ttl_ms bigint NOT NULL,
  bump boolean NOT NULL,
  channel text NOT NULL,
  pid integer,
  pending_until bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, resource, seq)
);

-- Drops expired grants, then grants the waiters that fit, in order; the caller holds the resource
-- row. Returns the row as it is after.
CREATE FUNCTION ${s}.permit_settle(p_kind text, p_resource text, p_now bigint) RETURNS ${s}.permit_resources LANGUAGE plpgsql AS $$
DECLARE
  r ${s}.permit_resources;
  w record;
  freed bigint;
BEGIN
  SELECT * INTO r FROM ${s}.permit_resources WHERE kind = p_kind AND resource = p_resource;
  WITH gone AS (DELETE FROM ${s}.permit_grants WHERE kind = p_kind AND resource = p_resource AND expires_at <= p_now RETURNING permits)
    SELECT coalesce(sum(permits), 0) INTO freed FROM gone;
  r.used := greatest(r.used - freed, 0);
  FOR w IN SELECT * FROM ${s}.permit_waiters WHERE kind = p_kind AND resource = p_resource ORDER BY seq LOOP
    IF (w.pid IS NULL AND w.pending_until > p_now) OR EXISTS (SELECT 1 FROM pg_stat_get_activity(w.pid)) THEN
      EXIT WHEN r.used + w.permits > r.lim;
      IF w.bump THEN r.fence := r.fence + 1; END IF;
      r.used := r.used + w.permits;
      r.seq := r.seq + 1;
      INSERT INTO ${s}.permit_grants (kind, resource, token, permits, fence, expires_at)
        VALUES (p_kind, p_resource, w.token, w.permits, r.fence, p_now + w.ttl_ms);
      PERFORM pg_notify(w.channel, w.token || ' ' || r.fence || ' ' || p_now || ' ' || r.seq);
    END IF;
    DELETE FROM ${s}.permit_waiters WHERE kind = p_kind AND resource = p_resource AND seq = w.seq;
  END LOOP;
  UPDATE ${s}.permit_resources SET used = r.used, fence = r.fence, seq = r.seq WHERE kind = p_kind AND resource = p_resource;
  RETURN r;
END $$;

-- Grants p_permits to p_token if nobody waits and they fit under p_limit (after settling), with
-- the fence incremented (p_bump) or read. Otherwise, with p_queue, puts the caller in line (or
-- refreshes its listening session). o_fence: granted by this call; o_fence and o_granted_at: handed
-- to the caller by an earlier step; o_conflict: the limit in force when p_limit disagrees; else
-- o_wake_ms (until the first grant runs out; NULL: none) and o_seq (hand-offs so far).
CREATE FUNCTION ${s}.permit_acquire(p_kind text, p_resource text, p_token text, p_permits bigint, p_limit bigint, p_ttl bigint, p_bump boolean,
  p_queue boolean, p_channel text, p_pid integer,
  OUT o_fence bigint, OUT o_granted_at bigint, OUT o_conflict bigint, OUT o_wake_ms bigint, OUT o_seq bigint, OUT o_now bigint) LANGUAGE plpgsql AS $$
DECLARE
  t bigint := ${s}.now_ms();
  r ${s}.permit_resources;
  g ${s}.permit_grants;
  waiting boolean;
BEGIN
  o_now := t;
  INSERT INTO ${s}.permit_resources (kind, resource) VALUES (p_kind, p_resource) ON CONFLICT DO NOTHING;
  PERFORM 1 FROM ${s}.permit_resources WHERE kind = p_kind AND resource = p_resource FOR UPDATE;
  r := ${s}.permit_settle(p_kind, p_resource, t);
  SELECT * INTO g FROM ${s}.permit_grants WHERE kind = p_kind AND resource = p_resource AND token = p_token AND expires_at > t;
  IF FOUND THEN
    o_fence := g.fence;
    o_granted_at := g.expires_at - p_ttl;
    RETURN;
  END IF;
  waiting := EXISTS (SELECT 1 FROM ${s}.permit_waiters WHERE kind = p_kind AND resource = p_resource);
  IF (r.used > 0 OR waiting) AND r.lim <> p_limit THEN
    o_conflict := r.lim;
    RETURN;
  END IF;
  IF NOT waiting AND r.used + p_permits <= p_limit THEN
    IF p_bump THEN r.fence := r.fence + 1; END IF;
    INSERT INTO ${s}.permit_grants (kind, resource, token, permits, fence, expires_at) VALUES (p_kind, p_resource, p_token, p_permits, r.fence, t + p_ttl);
    UPDATE ${s}.permit_resources SET used = r.used + p_permits, lim = p_limit, fence = r.fence WHERE kind = p_kind AND resource = p_resource;
    o_fence := r.fence;
    RETURN;
  END IF;
  IF p_queue THEN
    IF NOT waiting AND r.used = 0 THEN
      UPDATE ${s}.permit_resources SET lim = p_limit WHERE kind = p_kind AND resource = p_resource;
    END IF;
    INSERT INTO ${s}.permit_waiters (kind, resource, token, permits, ttl_ms, bump, channel, pid, pending_until)
      VALUES (p_kind, p_resource, p_token, p_permits, p_ttl, p_bump, p_channel, p_pid, CASE WHEN p_pid IS NULL THEN t + 5000 ELSE 0 END)
      ON CONFLICT (token) DO UPDATE SET channel = excluded.channel, pid = excluded.pid, pending_until = excluded.pending_until;
  END IF;
  SELECT min(expires_at) - t INTO o_wake_ms FROM ${s}.permit_grants WHERE kind = p_kind AND resource = p_resource;
  o_seq := r.seq;
END $$;

-- Gives p_token's permits back (then settles: the waiters that now fit are granted). True when
-- its grant was live.
CREATE FUNCTION ${s}.permit_release(p_kind text, p_resource text, p_token text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  t bigint := ${s}.now_ms();
  g ${s}.permit_grants;
BEGIN
  PERFORM 1 FROM ${s}.permit_resources WHERE kind = p_kind AND resource = p_resource FOR UPDATE;
  DELETE FROM ${s}.permit_grants WHERE kind = p_kind AND resource = p_resource AND token = p_token RETURNING * INTO g;
  IF NOT FOUND THEN RETURN false; END IF;
  UPDATE ${s}.permit_resources SET used = greatest(used - g.permits, 0) WHERE kind = p_kind AND resource = p_resource;
  PERFORM ${s}.permit_settle(p_kind, p_resource, t);
  RETURN g.expires_at > t;
END $$;

-- A waiter gives up: out of line; permits handed to it meanwhile are given back (then settles).
CREATE FUNCTION ${s}.permit_leave(p_kind text, p_resource text, p_token text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t bigint := ${s}.now_ms();
  g ${s}.permit_grants;
BEGIN
  PERFORM 1 FROM ${s}.permit_resources WHERE kind = p_kind AND resource = p_resource FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  DELETE FROM ${s}.permit_waiters WHERE token = p_token;
  DELETE FROM ${s}.permit_grants WHERE kind = p_kind AND resource = p_resource AND token = p_token RETURNING * INTO g;
  IF FOUND THEN
    UPDATE ${s}.permit_resources SET used = greatest(used - g.permits, 0) WHERE kind = p_kind AND resource = p_resource;
  END IF;
  PERFORM ${s}.permit_settle(p_kind, p_resource, t);
END $$;
`;
}
