/**
 * Migration 7: one lock order for the queue statements, and freed slots heard from every handle.
 * `s` is the quoted schema name. (See "Lock order" in the adapter's README.)
 *
 * - `queue_gate(q, always)` is the first step of every statement that frees a lease (complete,
 *   fail, cancel, a claim carrying completions) or may NOTIFY waiting claims (fail, recover): it
 *   takes the queue's shared lock (see the v4 migration) before the statement locks any task
 *   row, when `always` or when the queue has a `queue_limits` row (a handle with limits leased
 *   from it, so a claim may be held back waiting for this statement's slot). Taken after a task
 *   row, that lock could wait in a circle: behind a claim asking for it exclusively, which waits
 *   for an enqueue holding it shared, which waits for the task row (an enqueue of the leased id).
 * - `queue_limited_gate(q)` is that step for a claim of a handle with limits that carries
 *   completions: the queue's `queue_limits` row (FOR UPDATE, created if missing), then the shared
 *   lock, then the task rows. A claim held back takes the row, then the lock exclusively; one that
 *   took the task rows first could wait for the row while holding what the held claim's lock
 *   waits for.
 * - `queue_freed(q, channel)` NOTIFYs the queue's channel with -1 while a claim is held back
 *   (`held_until` ahead), looking with a snapshot taken when it is called. Called by every freeing
 *   statement of every handle, with limits or without, after its gate: a statement whose gate took
 *   the shared lock either made the held claim's exclusive lock wait for its commit (the claim's
 *   second look then sees the slot) or came after the claim committed (and sees `held_until`).
 *   It replaces `queue_slot_freed`, which took the shared lock after the task rows.
 */
export function v7LockOrder(s: string): string {
  // the key of the queue's shared lock (see the v4 migration's queue_enter)
  const key = `hashtext('baton.queue:${s.slice(1, -1)}'), hashtext(q)`;
  return `
CREATE FUNCTION ${s}.queue_gate(q text, always boolean) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF always OR EXISTS (SELECT 1 FROM ${s}.queue_limits WHERE queue = q) THEN
    PERFORM pg_advisory_xact_lock_shared(${key});
  END IF;
  RETURN true;
END $$;

CREATE FUNCTION ${s}.queue_limited_gate(q text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM 1 FROM ${s}.queue_limits WHERE queue = q FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO ${s}.queue_limits (queue) VALUES (q) ON CONFLICT (queue) DO NOTHING;
    PERFORM 1 FROM ${s}.queue_limits WHERE queue = q FOR UPDATE;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(${key});
  RETURN true;
END $$;

CREATE FUNCTION ${s}.queue_freed(q text, channel text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ${s}.queue_limits WHERE queue = q AND held_until > ${s}.now_ms()) THEN
    PERFORM pg_notify(channel, '-1');
    RETURN true;
  END IF;
  RETURN false;
END $$;

DROP FUNCTION ${s}.queue_slot_freed(text, text);
`;
}
