import { inspectElection, isBatonError, TASK_STATES, type Backend, type Clock, type NodeRecord, type QueueStats, type TaskState } from '@baton/core';
import { HttpError } from './http-io.js';

/** The queues the page shows: the backend's list (when it can tell) and the configured ones. */
export interface QueueNames {
  names: string[];
  /** False when the backend lacks the `inspection` capability and only configured queues are shown. */
  listed: boolean;
}

/** `fn()`, or `fallback` when the backend lacks the capability it needs. */
export async function unlessUnsupported<R, F>(fn: () => Promise<R>, fallback: F): Promise<R | F> {
  try {
    return await fn();
  } catch (error) {
    if (isBatonError(error, 'NOT_SUPPORTED')) return fallback;
    throw error;
  }
}

/** The backend's queues (sorted) with `configured` added. */
export async function queueNames(backend: Backend, configured: readonly string[]): Promise<QueueNames> {
  const listed = await unlessUnsupported(() => backend.queues(), undefined);
  const names = [...new Set([...(listed ?? []), ...configured])].sort();
  return { names, listed: listed !== undefined };
}

/** Throws 404 for a queue the backend does not know (when it can tell) and that is not configured. */
export async function assertKnownQueue(backend: Backend, configured: readonly string[], name: string): Promise<void> {
  const { names, listed } = await queueNames(backend, configured);
  if (listed && !names.includes(name)) throw new HttpError(404, `unknown queue "${name}"`);
}

/** One row of the queues overview. */
export interface QueueRow extends QueueStats {
  name: string;
  /** Null when the backend lacks the `pause` capability. */
  paused: boolean | null;
  /** Age (ms) of the waiting task first in line; null when none waits or the backend cannot tell. */
  oldestWaitingMs: number | null;
}

/** Counts by state, paused, and the age of the first waiting task, of one queue. */
export async function queueRow(backend: Backend, clock: Clock, name: string): Promise<QueueRow> {
  const queue = backend.queue(name);
  const [stats, paused, first] = await Promise.all([
    queue.stats(),
    unlessUnsupported(() => queue.isPaused(), null),
    unlessUnsupported(async () => (await queue.list('waiting', { limit: 1 })).tasks[0], undefined),
  ]);
  const oldestWaitingMs = first !== undefined && 'enqueuedAt' in first ? Math.max(0, clock.now() - first.enqueuedAt) : null;
  return { name, ...stats, paused, oldestWaitingMs };
}

/** The `state` query parameter, checked against TASK_STATES (400 otherwise). */
export function parseState(raw: string | null): TaskState {
  const state = raw ?? 'waiting';
  if (!(TASK_STATES as readonly string[]).includes(state)) throw new HttpError(400, `state must be one of ${TASK_STATES.join(', ')}`);
  return state as TaskState;
}

/** The `limit` query parameter: an integer 1 to 1000 (400 otherwise). @default 20 */
export function parseLimit(raw: string | null): number {
  if (raw === null) return 20;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > 1000) throw new HttpError(400, 'limit must be an integer from 1 to 1000');
  return limit;
}

/** A node with the age (ms) of its last heartbeat. */
export interface NodeRow extends NodeRecord {
  heartbeatAgeMs: number;
}

/** The live nodes of each group, with their heartbeat age. */
export async function nodeGroups(backend: Backend, clock: Clock, groups: readonly string[]): Promise<Array<{ group: string; nodes: NodeRow[] }>> {
  const now = clock.now();
  return Promise.all(
    groups.map(async (group) => ({
      group,
      nodes: (await backend.registry(group).list()).map((node) => ({ ...node, heartbeatAgeMs: Math.max(0, now - node.lastSeen) })),
    })),
  );
}

/** The state of each election (see inspectElection); throws NotSupportedError without `lockInspection`. */
export function electionStates(backend: Backend, names: readonly string[]): Promise<Array<Awaited<ReturnType<typeof inspectElection>>>> {
  const locks = backend.locks();
  return Promise.all(names.map((name) => inspectElection(locks, name)));
}
