/**
 * Migration 1: the database clock, locks and the registry. `s` is the quoted schema name.
 *
 * Times are bigint milliseconds of the database's clock (`now_ms()`: the start of the client's
 * statement, stable within it, so comparisons can use indexes); every expiry two nodes compare is
 * judged by it, never by a caller's clock.
 *
 * - `locks` is logged: a fence counter that went back after a crash would let a stale holder's
 *   writes through. A row per resource is kept for good (it carries the fence).
 * - `lock_waiters` and `nodes` are unlogged (no WAL per heartbeat or wait). After a crash every
 *   waiter's session is gone anyway, and the counts in `locks.waiters` heal in the slow path; the
 *   registry refills at the next heartbeats (ttl/3).
 */
export function v1LocksRegistry(s: string): string {
  return `
CREATE FUNCTION ${s}.now_ms() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT floor(date_part('epoch', statement_timestamp()) * 1000)::bigint $$;

-- One row per resource. token NULL: free. waiters: rows of lock_waiters for it (the fast path
-- takes a free lock only when nobody is in line).
CREATE TABLE ${s}.locks (
  resource text PRIMARY KEY,
  token text,
  expires_at bigint NOT NULL DEFAULT 0,
  fence bigint NOT NULL DEFAULT 0,
  waiters integer NOT NULL DEFAULT 0
);

-- The line of waiters per resource, in order of arrival (seq). A waiter is live while the session
-- its process listens on (pid) exists: a crashed process's waiters are skipped, no heartbeat needed.
-- A waiter whose process is still opening that session (pid NULL) holds its place until
-- pending_until (database ms).
CREATE UNLOGGED TABLE ${s}.lock_waiters (
  resource text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  token text NOT NULL UNIQUE,
  ttl_ms bigint NOT NULL,
  channel text NOT NULL,
  pid integer,
  pending_until bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (resource, seq)
);

-- Gives a free lock to the first live waiter (deleting dead ones on the way), tells it on its
-- channel "<token> <fence> <granted at ms>", and returns its token; frees the lock and returns
-- NULL when nobody live waits. The caller holds the lock row.
CREATE FUNCTION ${s}.lock_hand_over(p_resource text, p_now bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  w record;
  f bigint;
  gone integer := 0;
BEGIN
  FOR w IN SELECT seq, token, ttl_ms, channel, pid, pending_until FROM ${s}.lock_waiters WHERE resource = p_resource ORDER BY seq LOOP
    DELETE FROM ${s}.lock_waiters WHERE resource = p_resource AND seq = w.seq;
    gone := gone + 1;
    IF (w.pid IS NULL AND w.pending_until > p_now) OR EXISTS (SELECT 1 FROM pg_stat_get_activity(w.pid)) THEN
      UPDATE ${s}.locks SET token = w.token, expires_at = p_now + w.ttl_ms, fence = fence + 1, waiters = greatest(waiters - gone, 0)
        WHERE resource = p_resource RETURNING fence INTO f;
      PERFORM pg_notify(w.channel, w.token || ' ' || f || ' ' || p_now);
      RETURN w.token;
    END IF;
  END LOOP;
  UPDATE ${s}.locks SET token = NULL, expires_at = 0, waiters = 0 WHERE resource = p_resource;
  RETURN NULL;
END $$;

-- Takes the lock when it is free (or expired) and nobody live is in line before the caller: one
-- conditional upsert when nobody waits at all. Otherwise, with p_queue, puts the caller in line
-- (keeping its place if it has one, with its current listening session p_pid; NULL while that
-- session is being opened: the place then holds for 5 s). Returns the new fence
-- (o_fence) when taken by this call; o_fence and o_granted_at (ms) when a release had handed it to
-- the caller already; else the holder's remaining TTL (ms) and the fence counter. o_now: the
-- database time of the call (ms).
CREATE FUNCTION ${s}.lock_acquire(p_resource text, p_token text, p_ttl bigint, p_queue boolean, p_channel text, p_pid integer,
  OUT o_fence bigint, OUT o_granted_at bigint, OUT o_pttl bigint, OUT o_counter bigint, OUT o_now bigint) LANGUAGE plpgsql AS $$
DECLARE
  t bigint := ${s}.now_ms();
  l ${s}.locks;
  given text;
  joined boolean;
BEGIN
  o_now := t;
  INSERT INTO ${s}.locks AS k (resource, token, expires_at, fence) VALUES (p_resource, p_token, t + p_ttl, 1)
    ON CONFLICT (resource) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, fence = k.fence + 1
    WHERE (k.token IS NULL OR k.expires_at <= t) AND k.waiters = 0
    RETURNING k.fence INTO o_fence;
  IF o_fence IS NOT NULL THEN RETURN; END IF;
  SELECT * INTO l FROM ${s}.locks WHERE resource = p_resource FOR UPDATE;
  IF l.token = p_token AND l.expires_at > t THEN
    o_fence := l.fence;
    o_granted_at := l.expires_at - p_ttl;
    RETURN;
  END IF;
  IF l.token IS NULL OR l.expires_at <= t THEN
    given := ${s}.lock_hand_over(p_resource, t);
    IF given IS NULL THEN
      UPDATE ${s}.locks SET token = p_token, expires_at = t + p_ttl, fence = fence + 1 WHERE resource = p_resource RETURNING fence INTO o_fence;
      RETURN;
    END IF;
    SELECT * INTO l FROM ${s}.locks WHERE resource = p_resource;
    IF given = p_token THEN
      o_fence := l.fence;
      RETURN;
    END IF;
  END IF;
  IF p_queue THEN
    INSERT INTO ${s}.lock_waiters AS w (resource, token, ttl_ms, channel, pid, pending_until)
      VALUES (p_resource, p_token, p_ttl, p_channel, p_pid, CASE WHEN p_pid IS NULL THEN t + 5000 ELSE 0 END)
      ON CONFLICT (token) DO UPDATE SET channel = excluded.channel, pid = excluded.pid, pending_until = excluded.pending_until
      RETURNING (w.xmax = 0) INTO STRICT joined;
    IF joined THEN UPDATE ${s}.locks SET waiters = waiters + 1 WHERE resource = p_resource; END IF;
  END IF;
  o_pttl := l.expires_at - t;
  o_counter := l.fence;
END $$;

-- Frees the lock if p_token holds it, handing it to the first live waiter. True when it was held
-- (not expired).
CREATE FUNCTION ${s}.lock_release(p_resource text, p_token text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  t bigint := ${s}.now_ms();
  l ${s}.locks;
BEGIN
  SELECT * INTO l FROM ${s}.locks WHERE resource = p_resource FOR UPDATE;
  IF NOT FOUND OR l.token IS DISTINCT FROM p_token THEN RETURN false; END IF;
  IF l.waiters > 0 THEN
    PERFORM ${s}.lock_hand_over(p_resource, t);
  ELSE
    UPDATE ${s}.locks SET token = NULL, expires_at = 0 WHERE resource = p_resource;
  END IF;
  RETURN l.expires_at > t;
END $$;

-- A waiter gives up: out of line, and a lock handed to it meanwhile goes to the next in line.
CREATE FUNCTION ${s}.lock_leave(p_resource text, p_token text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t bigint := ${s}.now_ms();
  l ${s}.locks;
BEGIN
  SELECT * INTO l FROM ${s}.locks WHERE resource = p_resource FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  DELETE FROM ${s}.lock_waiters WHERE token = p_token;
  IF FOUND THEN
    UPDATE ${s}.locks SET waiters = greatest(waiters - 1, 0) WHERE resource = p_resource RETURNING * INTO l;
  END IF;
  IF l.token = p_token THEN
    IF l.waiters > 0 THEN
      PERFORM ${s}.lock_hand_over(p_resource, t);
    ELSE
      UPDATE ${s}.locks SET token = NULL, expires_at = 0 WHERE resource = p_resource;
    END IF;
  END IF;
END $$;

-- Live nodes per group. A node deregistered by id stays as a revoked marker while the
-- registration that wrote it keeps beating (expires_at = 3 TTLs ahead), so those beats do not
-- bring it back.
CREATE UNLOGGED TABLE ${s}.nodes (
  grp text NOT NULL,
  id text NOT NULL,
  meta jsonb NOT NULL,
  registered_at bigint NOT NULL,
  last_seen bigint NOT NULL,
  expires_at bigint NOT NULL,
  ttl_ms bigint NOT NULL,
  reg text NOT NULL,
  revoked boolean NOT NULL DEFAULT false,
  PRIMARY KEY (grp, id)
);

-- Announces a join or leave on the group's channel. NOTIFY payloads are limited to 8000 bytes:
-- an event whose meta would not fit carries "metaOmitted": true and an empty meta.
CREATE FUNCTION ${s}.node_event(p_channel text, p_type text, p_id text, p_meta jsonb, p_registered_at bigint, p_last_seen bigint, p_ttl bigint)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  payload text;
BEGIN
  payload := json_build_object('type', p_type, 'node', json_build_object('id', p_id, 'meta', p_meta, 'registeredAt', p_registered_at,
    'lastSeen', p_last_seen, 'ttlMs', p_ttl))::text;
  IF octet_length(payload) > 7900 THEN
    payload := json_build_object('type', p_type, 'metaOmitted', true, 'node', json_build_object('id', p_id, 'meta', '{}'::json,
      'registeredAt', p_registered_at, 'lastSeen', p_last_seen, 'ttlMs', p_ttl))::text;
  END IF;
  PERFORM pg_notify(p_channel, payload);
  RETURN 1;
END $$;

-- Registers (p_register) or heartbeats a node. o_state: 'joined' (was not live: a join is
-- announced, after the leave of an expired record), 'live' (refreshed; a register replaces meta
-- and registration time), 'revoked' (deregistered by id while this registration beat: it stays out).
CREATE FUNCTION ${s}.node_beat(p_group text, p_id text, p_meta jsonb, p_ttl bigint, p_reg text, p_registered_at bigint, p_register boolean,
  p_channel text, OUT o_state text, OUT o_registered_at bigint, OUT o_last_seen bigint) LANGUAGE plpgsql AS $$
DECLARE
  t bigint := ${s}.now_ms();
  reg_at bigint := CASE WHEN p_register THEN t ELSE p_registered_at END;
  n ${s}.nodes;
BEGIN
  o_last_seen := t;
  LOOP
    INSERT INTO ${s}.nodes (grp, id, meta, registered_at, last_seen, expires_at, ttl_ms, reg)
      VALUES (p_group, p_id, p_meta, reg_at, t, t + p_ttl, p_ttl, p_reg) ON CONFLICT (grp, id) DO NOTHING;
    IF FOUND THEN
      PERFORM ${s}.node_event(p_channel, 'join', p_id, p_meta, reg_at, t, p_ttl);
      o_state := 'joined';
      o_registered_at := reg_at;
      RETURN;
    END IF;
    SELECT * INTO n FROM ${s}.nodes WHERE grp = p_group AND id = p_id FOR UPDATE;
    EXIT WHEN FOUND;
  END LOOP;
  IF n.revoked AND n.reg = p_reg AND NOT p_register THEN
    UPDATE ${s}.nodes SET expires_at = t + 3 * p_ttl WHERE grp = p_group AND id = p_id;
    o_state := 'revoked';
    o_registered_at := n.registered_at;
    o_last_seen := n.last_seen;
    RETURN;
  END IF;
  IF NOT n.revoked AND n.expires_at > t THEN
    IF p_register THEN
      UPDATE ${s}.nodes SET meta = p_meta, registered_at = t, last_seen = t, expires_at = t + p_ttl, ttl_ms = p_ttl, reg = p_reg
        WHERE grp = p_group AND id = p_id;
      o_registered_at := t;
    ELSE
      UPDATE ${s}.nodes SET last_seen = t, expires_at = t + p_ttl, ttl_ms = p_ttl WHERE grp = p_group AND id = p_id;
      o_registered_at := n.registered_at;
    END IF;
    o_state := 'live';
    RETURN;
  END IF;
  IF NOT n.revoked THEN
    PERFORM ${s}.node_event(p_channel, 'leave', n.id, n.meta, n.registered_at, n.last_seen, n.ttl_ms);
  END IF;
  UPDATE ${s}.nodes SET meta = p_meta, registered_at = reg_at, last_seen = t, expires_at = t + p_ttl, ttl_ms = p_ttl, reg = p_reg, revoked = false
    WHERE grp = p_group AND id = p_id;
  PERFORM ${s}.node_event(p_channel, 'join', p_id, p_meta, reg_at, t, p_ttl);
  o_state := 'joined';
  o_registered_at := reg_at;
END $$;

-- Deregisters a node by id: a live one leaves (announced) and stays out while its registration
-- beats; an expired one is removed (its leave announced). True when it was live.
CREATE FUNCTION ${s}.node_remove(p_group text, p_id text, p_channel text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  t bigint := ${s}.now_ms();
  n ${s}.nodes;
BEGIN
  SELECT * INTO n FROM ${s}.nodes WHERE grp = p_group AND id = p_id FOR UPDATE;
  IF NOT FOUND OR n.revoked THEN RETURN false; END IF;
  PERFORM ${s}.node_event(p_channel, 'leave', n.id, n.meta, n.registered_at, n.last_seen, n.ttl_ms);
  IF n.expires_at <= t THEN
    DELETE FROM ${s}.nodes WHERE grp = p_group AND id = p_id;
    RETURN false;
  END IF;
  UPDATE ${s}.nodes SET revoked = true, expires_at = t + 3 * n.ttl_ms WHERE grp = p_group AND id = p_id;
  RETURN true;
END $$;
`;
}
