/**
 * Migration 4: results, progress, cancellation and queue events. `s` is the quoted schema name.
 *
 * - `tasks.result`: the JSON text a completion stored (NULL: none), kept with the finished id.
 * - `tasks.progress`: the latest progress of an active task (JSON text).
 * - state 4 cancelled: the id is kept until `expires_at` (cancel time + retainFinishedMs of the
 *   handle that cancelled it) with `cancel_reason`, like a finished id, and pruned with them.
 * - `queue_watchers` (unlogged) lists the processes watching a queue's events, with the event
 *   types they want (a bit mask, see queue-events.ts), their NOTIFY channel and until when: a
 *   statement builds and sends events only while someone wants them. A server crash empties it;
 *   watchers renew their row on every heartbeat.
 * - `queue_enter`, `queue_block`, `queue_notify` close the gap between a worker registering in
 *   `queue_waiters` and an enqueue deciding whether to NOTIFY. A statement's snapshot is taken when
 *   it starts, so an enqueue that started before a registration committed does not see it, and if
 *   it commits after the worker's second look, that look does not see its task either: the worker
 *   slept until the slow poll. Now every statement that makes a task ready holds a shared advisory
 *   lock of the queue (taken before it writes, kept until commit) and looks for waiters with a
 *   fresh snapshot once it holds it; a registration takes the lock exclusively, so it waits for the
 *   enqueues in flight to commit (its second look then sees their tasks), and enqueues that come
 *   after it see the registration.
 */
export function v4Outcomes(s: string): string {
  const key = `hashtext('baton.queue:${s.slice(1, -1)}'), hashtext(q)`;
  return `
ALTER TABLE ${s}.tasks ADD COLUMN result text, ADD COLUMN progress text, ADD COLUMN cancel_reason text;

DROP INDEX ${s}.tasks_finished;
CREATE INDEX tasks_finished ON ${s}.tasks (expires_at) WHERE state IN (3, 4);

CREATE UNLOGGED TABLE ${s}.queue_watchers (
  queue text NOT NULL,
  watcher text NOT NULL,
  channel text NOT NULL,
  types integer NOT NULL,
  until bigint NOT NULL,
  PRIMARY KEY (queue, watcher)
);

CREATE FUNCTION ${s}.queue_enter(q text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(${key});
  RETURN true;
END $$;

CREATE FUNCTION ${s}.queue_block(q text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(${key});
  RETURN true;
END $$;

-- NOTIFYs channel with the ms until the new ready task is due when a worker waits on queue q,
-- looking with a snapshot taken now (a plpgsql statement's own), under the queue's shared lock.
CREATE FUNCTION ${s}.queue_notify(q text, channel text, due bigint) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF due IS NULL THEN
    RETURN false;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(${key});
  IF EXISTS (SELECT 1 FROM ${s}.queue_waiters WHERE queue = q AND until > ${s}.now_ms()) THEN
    PERFORM pg_notify(channel, due::text);
    RETURN true;
  END IF;
  RETURN false;
END $$;
`;
}
