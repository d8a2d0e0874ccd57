/**
 * SQL that turns the rows a queue statement changed into queue events, sent by NOTIFY on the
 * queue's events channel, only while some process watches the types concerned (`queue_watchers`,
 * see the v4 migration). The events of one statement travel as JSON arrays in step order; a
 * payload never exceeds 8000 bytes (PostgreSQL's limit):
 * - the array is cut into notifications of about 6,000 bytes (events never straddle two);
 * - an id list (`enqueued`, `active`) is cut into parts of about 1,400 bytes, every part but the
 *   last marked `"more": true`: the receiver joins them into one event;
 * - an event whose own text would pass 1,500 bytes (a large result, progress value, error or
 *   reason) travels without that field and with `"reread": true`: the receiver reads the field
 *   from the task's row before delivering it (see PgQueueEvents).
 */

/** Bit of each event type in `queue_watchers.types`. */
export const EVENT_BITS = { enqueued: 1, active: 2, completed: 4, failed: 8, dead: 16, cancelled: 32, progress: 64 } as const;

/** Bytes of one notification's events (the cut is made before a running total passes it). */
const CHUNK_BYTES = 6_000;
/** Bytes of ids in one part of an id-list event. */
const IDS_BYTES = 1_400;
/** Largest event sent whole; above it the big field is left out (`reread`). */
const EVENT_BYTES = 1_500;

/**
 * A query of event rows `(k, bit, ev)` for a list of ids: `source` yields `(id, n)` (n: order),
 * `type` is 'enqueued' or 'active', `k0` orders these events among the statement's others.
 */
export function idListEvents(type: 'enqueued' | 'active', source: string, now: string, k0: number): string {
  return `SELECT ${k0} + part AS k, ${EVENT_BITS[type]} AS bit,
      json_build_object('type', '${type}', 'at', ${now}, 'ids', json_agg(id ORDER BY n), 'more', part < max(part) OVER ())::text AS ev
    FROM (SELECT id, n, (sum(octet_length(id) + 3) OVER (ORDER BY n) / ${IDS_BYTES})::int AS part FROM (${source}) src) parts
    GROUP BY part`;
}

/**
 * `full` as the event text, or `reduced` (plus `"reread": true`) when the full text would pass
 * EVENT_BYTES. Both are json_build_object(...) expressions.
 */
export function bounded(full: string, reduced: string): string {
  return `(SELECT CASE WHEN octet_length(f) <= ${EVENT_BYTES} THEN f ELSE ((${reduced})::jsonb || '{"reread": true}'::jsonb)::text END FROM (SELECT (${full})::text AS f) b)`;
}

/**
 * The CTE body that NOTIFYs `events` (a query of rows (k, bit, ev text)) on the queue's events
 * channel, when a watcher of the queue ($1) wants any of their types. Selects one row per notification.
 */
export function emitEvents(s: string, now: string, events: string): string {
  return `SELECT pg_notify(w.channel, c.p) FROM (
      SELECT min(channel) AS channel, bit_or(types) AS types FROM ${s}.queue_watchers WHERE queue = $1 AND until > ${now}
    ) w CROSS JOIN LATERAL (
      SELECT '[' || string_agg(ev, ',' ORDER BY k) || ']' AS p FROM (
        SELECT k, ev, (sum(octet_length(ev) + 1) OVER (ORDER BY k) / ${CHUNK_BYTES})::int AS chunk
        FROM (${events}) e WHERE e.bit & w.types <> 0
      ) sized GROUP BY chunk ORDER BY chunk
    ) c WHERE w.channel IS NOT NULL`;
}

/** Event rows `completed` from `source`, which yields `(id, result, n)` of the completions done. */
export function completedEvents(now: string, source: string): string {
  return `SELECT n AS k, ${EVENT_BITS.completed} AS bit,
      CASE WHEN result IS NULL THEN json_build_object('type', 'completed', 'at', ${now}, 'id', id)::text ELSE ${bounded(
        `json_build_object('type', 'completed', 'at', ${now}, 'id', id, 'result', result::json)`,
        `json_build_object('type', 'completed', 'at', ${now}, 'id', id)`,
      )} END AS ev FROM ${source}`;
}
