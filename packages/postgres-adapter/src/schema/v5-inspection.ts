/**
 * Migration 5: inspection and admin. `s` is the quoted schema name.
 *
 * - `queues` (logged: a pause must survive a crash) lists the known queues: a row is written the
 *   first time a backend enqueues to or leases from a queue, or pauses it. `paused` is read by
 *   every claim statement (a primary-key lookup), so a pause holds on every node at once;
 *   `dead_dropped` counts the dead letters `retainDead` dropped. Queues that held tasks before
 *   this version are listed from `tasks`.
 * - `tasks.holder`: who took the lease of an active task (the `holder` given to the lease call).
 * - `tasks.ended_at`: when a finished or cancelled task ended (database ms), for `get` and the
 *   most-recent-first pages. Rows that ended before this version get the migration's time.
 * - `tasks_ended`: the pages of finished and cancelled ids of one queue, most recent first.
 * - `tasks_dead` is rebuilt on (queue, dead_at DESC, id): dead pages (ties by id, as the contract
 *   says) and the cuts of `retainDead` (oldest first, a backward scan) use one index.
 */
export function v5Inspection(s: string): string {
  return `
CREATE TABLE ${s}.queues (
  queue text PRIMARY KEY,
  paused boolean NOT NULL DEFAULT false,
  dead_dropped bigint NOT NULL DEFAULT 0
);
INSERT INTO ${s}.queues (queue) SELECT DISTINCT queue FROM ${s}.tasks;

ALTER TABLE ${s}.tasks ADD COLUMN holder text, ADD COLUMN ended_at bigint;
UPDATE ${s}.tasks SET ended_at = ${s}.now_ms() WHERE state IN (3, 4);

CREATE INDEX tasks_ended ON ${s}.tasks (queue, state, ended_at DESC, id) WHERE state IN (3, 4);

DROP INDEX ${s}.tasks_dead;
CREATE INDEX tasks_dead ON ${s}.tasks (queue, dead_at DESC, id) WHERE state = 2;
`;
}
