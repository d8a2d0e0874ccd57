import type { CancelResult, EnqueueResult, QueueStats, RemoveResult, TaskState } from '@baton/core';
import { BackendDataError } from '@baton/core';
import { ReplyCode } from '../reply-codes.js';
import { arrayReply, heldReply, numberReply } from '../reply-decoders.js';
import { defineScript } from '../script.js';
import { queueScript } from './queue-script.js';

// The queue's scripts (scripts/<name>.lua). Key names are QueueKeys fields: a call passes the
// queue's keys object as it is.

/** Below every priority: leaseTasks' "no floor" and "nothing ready" (prelude.lua NO_PRIORITY). */
export const NO_PRIORITY = -2_000_000;

const STATUS: Record<number, EnqueueResult['status']> = {
  [ReplyCode.Queued]: 'queued',
  [ReplyCode.Duplicate]: 'duplicate',
  [ReplyCode.Finished]: 'finished',
  [ReplyCode.Cancelled]: 'cancelled',
};

const CANCEL: Record<number, CancelResult> = {
  [ReplyCode.Cancelled]: 'cancelled',
  [ReplyCode.AlreadyCancelled]: 'already-cancelled',
  [ReplyCode.Finished]: 'finished',
  [ReplyCode.Dead]: 'dead',
  [ReplyCode.NotFound]: 'not-found',
};

/** What cancelTask did, and the state a cancelled task was in. */
export interface CancelReply {
  result: CancelResult;
  from: 'waiting' | 'delayed' | 'active' | undefined;
  /** The token of the lease it dropped ('' unless the task was active). */
  token: string;
}

/** What readOutcome found: the state and, for dead or cancelled, the dead letter or the stored reason. */
export interface OutcomeReply {
  state: 'finished' | 'dead' | 'cancelled' | undefined;
  detail: string | undefined;
}

/** What one leaseTasks call did. */
export interface LeaseReply {
  /** Ms until the earliest delayed task is due (server time) when nothing was leased; -1 otherwise or when none is delayed. */
  nextDueInMs: number;
  /** With `wantTop`: the highest priority still ready after the call; NO_PRIORITY when none (or not asked). */
  top: number;
  /** -1, or ms until the limits that held this call back (tasks ready, none leased) may lift by the clock. */
  heldForMs: number;
  /** One flag per completion sent along: true when that lease was still held and is now finished. */
  completed: boolean[];
  /** The leased envelopes with their tokens, in lease order. */
  leased: Array<{ envelope: string; token: string }>;
}

function decodeLease(reply: unknown): LeaseReply {
  const r = arrayReply(reply, 'leaseTasks');
  const codes = Number(r[3]);
  const completed = new Array<boolean>(codes);
  for (let j = 0; j < codes; j++) completed[j] = heldReply(r[4 + j]);
  const leased: LeaseReply['leased'] = [];
  for (let i = 4 + codes; i + 1 < r.length; i += 2) leased.push({ envelope: String(r[i]), token: String(r[i + 1]) });
  return { nextDueInMs: Number(r[0]), top: Number(r[1]), heldForMs: Number(r[2]), completed, leased };
}

/** What one enqueueTasks call did. */
export interface EnqueueReply {
  /** One status per task, in order. */
  statuses: Array<EnqueueResult['status']>;
  /** Deliveries to the caller's own wake channel (see decodeDelivery), which were not published. */
  handed: string[];
}

function decodeEnqueue(reply: unknown): EnqueueReply {
  const statuses: EnqueueReply['statuses'] = [];
  const handed: string[] = [];
  for (const item of arrayReply(reply, 'enqueueTasks')) {
    if (typeof item === 'number') statuses.push(STATUS[item] ?? 'duplicate');
    else handed.push(String(item));
  }
  return { statuses, handed };
}

/** Adds tasks (or delivers them to waiting workers); one status per task, and the caller's own deliveries. */
export const enqueueTasks = queueScript('enqueueTasks', {
  keys: [
    'wait',
    'delayed',
    'ids',
    'finished',
    'finishedAt',
    'idle',
    'leases',
    'active',
    'prioritized',
    'sequence',
    'cancelled',
    'cancelledAt',
    'results',
    'dead',
    'deadIds',
    'watching',
  ],
  args: ['retainMs', 'dueChannel', 'tokenBase', 'anyPriority', 'eventsChannel', 'exactReceivers', 'ownChannel'],
  rest: { name: 'tasks', fields: ['id', 'envelope', 'delayMs'] },
  decode: decodeEnqueue,
});

/** Completes what rides along, then leases ready tasks (see LeaseReply). */
export const leaseTasks = queueScript('leaseTasks', {
  keys: [
    'wait',
    'claimed',
    'delayed',
    'active',
    'leases',
    'ids',
    'finished',
    'finishedAt',
    'dead',
    'idle',
    'prioritized',
    'sequence',
    'results',
    'progress',
    'watching',
    'paused',
    'limits',
  ],
  args: [
    'visibilityMs',
    'max',
    'retainMs',
    'tokenBase',
    'idleMember',
    'idleForMs',
    'floor',
    'wantTop',
    'eventsChannel',
    'holder',
    'deadline',
    'limits',
    'slotsChannel',
    'tokenFrom',
  ],
  rest: { name: 'completions', fields: ['id', 'token'] },
  decode: decodeLease,
});

/** Puts a delivery nobody here waits for back in the wait list; true when its lease still held. */
export const returnDelivery = queueScript('returnDelivery', {
  keys: ['claimed', 'wait', 'leases'],
  args: ['delivery', 'dueChannel'],
  decode: (reply) => Number(reply) === 1,
});

/** Finishes leases; one held flag per lease. */
export const completeTask = queueScript('completeTask', {
  keys: ['leases', 'active', 'ids', 'finished', 'finishedAt', 'results', 'progress', 'watching', 'limits'],
  args: ['retainMs', 'eventsChannel', 'slotsChannel'],
  rest: { name: 'completions', fields: ['id', 'token'] },
  decode: (reply) => arrayReply(reply, 'completeTask').map(heldReply),
});

/** Retries or dead-letters a lease; false when it was lost. */
export const failTask = queueScript('failTask', {
  keys: ['leases', 'active', 'ids', 'delayed', 'dead', 'wait', 'prioritized', 'sequence', 'progress', 'deadIds', 'deadDropped', 'limits'],
  args: ['id', 'token', 'dead', 'retryInMs', 'message', 'dueChannel', 'eventsChannel', 'dueAt', 'retainCount', 'retainAgeMs', 'slotsChannel'],
  decode: heldReply,
});

/** Moves a lease's deadline; false when it was lost. */
export const extendLease = queueScript('extendLease', {
  keys: ['leases', 'active'],
  args: ['id', 'token', 'ms'],
  decode: heldReply,
});

/** Expired leases back to the wait list or the dead letters; how many it moved. */
export const recoverStalledTasks = queueScript('recoverStalledTasks', {
  keys: ['active', 'leases', 'ids', 'wait', 'dead', 'prioritized', 'sequence', 'progress', 'deadIds', 'deadDropped'],
  args: ['maxAttempts', 'limit', 'dueChannel', 'eventsChannel', 'retainCount', 'retainAgeMs'],
  decode: numberReply,
});

/** Counts by state, after dropping dead letters past retainDead. */
export const readStats = queueScript('readStats', {
  keys: ['wait', 'claimed', 'active', 'delayed', 'dead', 'prioritized', 'deadIds', 'ids', 'deadDropped'],
  args: ['retainCount', 'retainAgeMs', 'pruneMax'],
  decode: (reply): QueueStats => {
    const [waiting, active, delayed, dead, deadDropped] = arrayReply(reply, 'readStats').map(Number);
    return { waiting: waiting!, active: active!, delayed: delayed!, dead: dead!, deadDropped: deadDropped! };
  },
});

/** Whether an id finished within retention. */
export const checkFinished = queueScript('checkFinished', {
  keys: ['finished', 'finishedAt'],
  args: ['id', 'retainMs'],
  readOnly: true,
  decode: (reply) => Number(reply) === 1,
});

/** Cancels a task in any state; what it found (see CancelReply). */
export const cancelTask = queueScript('cancelTask', {
  keys: [
    'wait',
    'claimed',
    'delayed',
    'prioritized',
    'active',
    'leases',
    'ids',
    'finished',
    'finishedAt',
    'dead',
    'cancelled',
    'cancelledAt',
    'progress',
    'deadIds',
    'limits',
  ],
  args: ['id', 'head', 'reason', 'retainMs', 'eventsChannel', 'slotsChannel'],
  decode: (reply): CancelReply => {
    const [code, from, token] = arrayReply(reply, 'cancelTask');
    const result = CANCEL[Number(code)];
    if (result === undefined) throw new BackendDataError(`cancelTask answered an unknown code ${String(code)}.`);
    return { result, from: from === '' ? undefined : (String(from) as CancelReply['from']), token: String(token ?? '') };
  },
});

/** How a task ended (see OutcomeReply). */
export const readOutcome = queueScript('readOutcome', {
  keys: ['finished', 'finishedAt', 'dead', 'cancelled', 'cancelledAt', 'results', 'deadIds', 'ids'],
  args: ['id', 'head', 'retainMs'],
  readOnly: true,
  decode: (reply): OutcomeReply => {
    const [state, detail] = arrayReply(reply, 'readOutcome');
    return { state: state === undefined ? undefined : (String(state) as OutcomeReply['state']), detail: detail === undefined ? undefined : String(detail) };
  },
});

/** Finishes one lease and keeps its result (JSON text); false when the lease was lost. */
export const completeWithResult = queueScript('completeWithResult', {
  keys: ['leases', 'active', 'ids', 'finished', 'finishedAt', 'results', 'progress', 'limits'],
  args: ['id', 'token', 'result', 'retainMs', 'eventsChannel', 'slotsChannel'],
  decode: heldReply,
});

/** Stores and publishes a leased task's progress (JSON text); false when the lease was lost. */
export const reportProgress = queueScript('reportProgress', {
  keys: ['leases', 'progress'],
  args: ['id', 'token', 'progress', 'eventsChannel'],
  decode: heldReply,
});

/** Registers a watcher's event types for a while (see watchEvents.lua). */
export const watchEvents = queueScript('watchEvents', {
  keys: ['watching'],
  args: ['forMs'],
  rest: { name: 'types', fields: ['type'] },
  decode: () => undefined,
});

/** Sets (1) or clears (0) the paused flag; true when it changed. */
export const setPaused = queueScript('setPaused', {
  keys: ['paused', 'idle'],
  args: ['paused', 'dueChannel'],
  decode: (reply) => Number(reply) === 1,
});

/** A task as readTask found it: its state and three texts (see listTasks.lua); undefined when unknown. */
export interface TaskReply {
  state: TaskState;
  a: string;
  b: string;
  c: string;
}

/** Task `id` as it is now, without a scan (see TaskReply). */
export const readTask = queueScript('readTask', {
  keys: ['leases', 'active', 'progress', 'ids', 'delayed', 'deadIds', 'cancelled', 'cancelledAt', 'finished', 'finishedAt', 'results'],
  args: ['id', 'retainMs'],
  readOnly: true,
  decode: (reply): TaskReply | undefined => {
    const r = arrayReply(reply, 'readTask').map(String);
    return r.length < 4 ? undefined : { state: r[0] as TaskState, a: r[1]!, b: r[2]!, c: r[3]! };
  },
});

/** One page of a state, three texts per task (see listTasks.lua). */
export const listTasks = queueScript('listTasks', {
  keys: ['wait', 'claimed', 'prioritized', 'delayed', 'active', 'leases', 'progress', 'ids', 'deadIds', 'finishedAt', 'results', 'cancelled', 'cancelledAt'],
  args: ['state', 'want', 'segment', 'score', 'retainMs'],
  rest: { name: 'anchors', fields: ['id'] },
  readOnly: true,
  decode: (reply): string[] => arrayReply(reply, 'listTasks').map(String),
});

/** Redrives dead letters (the given ids, or the oldest); how many. */
export const retryDead = queueScript('retryDead', {
  keys: ['dead', 'deadIds', 'ids', 'wait', 'prioritized', 'sequence'],
  args: ['max', 'dueChannel'],
  rest: { name: 'ids', fields: ['id'] },
  decode: numberReply,
});

/** Forgets a task in any state but active. */
export const removeTask = queueScript('removeTask', {
  keys: ['wait', 'claimed', 'delayed', 'prioritized', 'leases', 'ids', 'dead', 'deadIds', 'cancelled', 'cancelledAt', 'finished', 'finishedAt', 'results'],
  args: ['id'],
  decode: (reply): RemoveResult => {
    const result = String(reply);
    if (result !== 'removed' && result !== 'active' && result !== 'not-found') throw new BackendDataError(`removeTask answered ${result}.`);
    return result;
  },
});

/** Removes up to `max` tasks of one state; how many. */
export const purgeTasks = queueScript('purgeTasks', {
  keys: ['wait', 'claimed', 'delayed', 'prioritized', 'sequence', 'ids', 'dead', 'deadIds', 'cancelled', 'cancelledAt', 'finished', 'finishedAt', 'results'],
  args: ['state', 'max'],
  decode: numberReply,
});

/** The numbers (1-based) of the queues, given by their wait, claimed and prioritized keys, that hold ready work (one server only). */
export const findReadyQueues = queueScript('findReadyQueues', {
  keys: [],
  args: [],
  rest: { name: 'queues', fields: ['wait', 'claimed', 'prioritized'] },
  readOnly: true,
  decode: (reply) => arrayReply(reply, 'findReadyQueues').map(Number),
});

/** The numbers (1-based) of the queues, given by their active keys, that hold an expired lease (one server only). */
export const findStalledQueues = queueScript('findStalledQueues', {
  keys: [],
  args: [],
  rest: { name: 'queues', fields: ['active'] },
  readOnly: true,
  decode: (reply) => arrayReply(reply, 'findStalledQueues').map(Number),
});

/** What upgradeQueue found in one queue (see QueueUpgrade, which reports it). */
export interface UpgradeReply {
  /** True when the queue held first-generation keys and was converted (with dryRun: would be). */
  upgraded: boolean;
  waiting: number;
  delayed: number;
  active: number;
  dead: number;
  cancelled: number;
  /** Ids queued nowhere (kept, so their enqueue stays a duplicate as before). */
  unplaced: number;
  /** First-generation idle registrations dropped. */
  idleDropped: number;
}

/** Converts a first-generation queue's ids set and dead ids set to the current layout (idempotent). */
export const upgradeQueue = defineScript('upgradeQueue', {
  keys: ['wait', 'claimed', 'delayed', 'prioritized', 'leases', 'ids', 'dead', 'deadIds', 'cancelled', 'idle', 'active', 'sequence'],
  args: ['wakePrefix', 'dryRun'],
  decode: (reply): UpgradeReply => {
    const [upgraded, waiting, delayed, active, dead, cancelled, unplaced, idleDropped] = arrayReply(reply, 'upgradeQueue').map(Number);
    return {
      upgraded: upgraded === 1,
      waiting: waiting!,
      delayed: delayed!,
      active: active!,
      dead: dead!,
      cancelled: cancelled!,
      unplaced: unplaced!,
      idleDropped: idleDropped!,
    };
  },
});
