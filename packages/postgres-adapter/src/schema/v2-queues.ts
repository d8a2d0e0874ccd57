/**
 * Migration 2: queues. `s` is the quoted schema name.
 *
 * One row per task id and queue, whatever its state, so the primary key makes every step atomic
 * against every other (an enqueue of an id that is queued, leased or finished meets its row):
 * - state 0 waiting: ready once `run_at` (database ms) has passed; delayed tasks and retries are
 *   waiting rows with a later `run_at`. One partial index serves the order of every claim:
 *   priority (higher first), then `run_at`, then `seq` (order of enqueue). A recovered lease gets
 *   `run_at` 0, ahead of what was already waiting at its priority.
 * - state 1 active: leased to `token` until `deadline` (database ms).
 * - state 2 dead: in the dead letters since `dead_at`, with `last_error`.
 * - state 3 finished: payload dropped, the id kept until `expires_at` (completion time +
 *   retainFinishedMs of the handle that completed it), then pruned in bounded batches.
 * `payload` and `headers` are the JSON text core serialized, stored as sent (jsonb would reorder
 * keys and rewrite numbers). `tasks` is logged: an acknowledged enqueue or completion must survive
 * a crash.
 *
 * `queue_waiters` (unlogged) lists the processes blocked waiting for a queue, until when: an
 * enqueue NOTIFYs the queue's channel only while someone waits, so a burst of enqueues into a busy
 * queue takes no NOTIFY lock at commit.
 */
export function v2Queues(s: string): string {
  return `
CREATE SEQUENCE ${s}.task_seq;

CREATE TABLE ${s}.tasks (
  queue text NOT NULL,
  id text NOT NULL,
  state smallint NOT NULL,
  priority integer NOT NULL DEFAULT 0,
  run_at bigint NOT NULL DEFAULT 0,
  seq bigint NOT NULL,
  attempt integer NOT NULL DEFAULT 0,
  enqueued_at bigint NOT NULL,
  payload text NOT NULL,
  headers text,
  token text,
  deadline bigint,
  last_error text,
  dead_at bigint,
  expires_at bigint,
  PRIMARY KEY (queue, id)
);

CREATE INDEX tasks_ready ON ${s}.tasks (queue, priority DESC, run_at, seq) WHERE state = 0;
CREATE INDEX tasks_active ON ${s}.tasks (queue, deadline) WHERE state = 1;
CREATE INDEX tasks_dead ON ${s}.tasks (queue, dead_at DESC, seq DESC) WHERE state = 2;
CREATE INDEX tasks_finished ON ${s}.tasks (expires_at) WHERE state = 3;

CREATE UNLOGGED TABLE ${s}.queue_waiters (
  queue text NOT NULL,
  waiter text NOT NULL,
  until bigint NOT NULL,
  PRIMARY KEY (queue, waiter)
);
`;
}
