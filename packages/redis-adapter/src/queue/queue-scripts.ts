import type { EnqueueResult, QueueStats } from '@baton/core';
import { ReplyCode } from '../reply-codes.js';
import { arrayReply, heldReply, numberReply } from '../reply-decoders.js';
import { defineScript } from '../script.js';

// The queue's scripts (scripts/<name>.lua). Key names are QueueKeys fields: a call passes the
// queue's keys object as it is.

const STATUS: Record<number, EnqueueResult['status']> = {
  [ReplyCode.Queued]: 'queued',
  [ReplyCode.Duplicate]: 'duplicate',
  [ReplyCode.Finished]: 'finished',
};

/** What one leaseTasks call did. */
export interface LeaseReply {
  /** Due time (ms) of the earliest delayed task when nothing was leased; -1 otherwise or when none is delayed. */
  nextDue: number;
  /** One flag per completion sent along: true when that lease was still held and is now finished. */
  completed: boolean[];
  /** The leased envelopes with their tokens, in lease order. */
  leased: Array<{ envelope: string; token: string }>;
}

function decodeLease(reply: unknown): LeaseReply {
  const r = arrayReply(reply, 'leaseTasks');
  const codes = Number(r[1]);
  const completed = new Array<boolean>(codes);
  for (let j = 0; j < codes; j++) completed[j] = heldReply(r[2 + j]);
  const leased: LeaseReply['leased'] = [];
  for (let i = 2 + codes; i + 1 < r.length; i += 2) leased.push({ envelope: String(r[i]), token: String(r[i + 1]) });
  return { nextDue: Number(r[0]), completed, leased };
}

/** Adds tasks (or delivers them to blocked workers); one status per task. */
export const enqueueTasks = defineScript('enqueueTasks', {
  keys: ['wait', 'delayed', 'ids', 'finished', 'finishedAt', 'idle', 'leases', 'active'],
  args: ['now', 'cutoff', 'dueChannel', 'tokenBase'],
  rest: { name: 'tasks', fields: ['id', 'envelope', 'delayMs'] },
  decode: (reply): Array<EnqueueResult['status']> => arrayReply(reply, 'enqueueTasks').map((code) => STATUS[Number(code)] ?? 'duplicate'),
});

/** Completes what rides along, then leases ready tasks (see LeaseReply). */
export const leaseTasks = defineScript('leaseTasks', {
  keys: ['wait', 'claimed', 'delayed', 'active', 'leases', 'ids', 'finished', 'finishedAt', 'dead', 'idle'],
  args: ['now', 'visibilityMs', 'max', 'cutoff', 'tokenBase', 'idleMember', 'idleUntil'],
  rest: { name: 'completions', fields: ['id', 'token'] },
  decode: decodeLease,
});

/** Puts a delivery nobody here waits for back in the wait list; true when its lease still held. */
export const returnDelivery = defineScript('returnDelivery', {
  keys: ['claimed', 'wait', 'leases'],
  args: ['delivery'],
  decode: (reply) => Number(reply) === 1,
});

/** Finishes leases; one held flag per lease. */
export const completeTask = defineScript('completeTask', {
  keys: ['leases', 'active', 'ids', 'finished', 'finishedAt'],
  args: ['now', 'cutoff'],
  rest: { name: 'completions', fields: ['id', 'token'] },
  decode: (reply) => arrayReply(reply, 'completeTask').map(heldReply),
});

/** Retries or dead-letters a lease; false when it was lost. */
export const failTask = defineScript('failTask', {
  keys: ['leases', 'active', 'ids', 'delayed', 'dead', 'wait'],
  args: ['id', 'token', 'now', 'dead', 'retryInMs', 'message', 'dueChannel'],
  decode: heldReply,
});

/** Moves a lease's deadline; false when it was lost. */
export const extendLease = defineScript('extendLease', {
  keys: ['leases', 'active'],
  args: ['id', 'token', 'deadline'],
  decode: heldReply,
});

/** Expired leases back to the wait list or the dead letters; how many it moved. */
export const recoverStalledTasks = defineScript('recoverStalledTasks', {
  keys: ['active', 'leases', 'ids', 'wait', 'dead'],
  args: ['now', 'maxAttempts', 'limit'],
  decode: numberReply,
});

/** Counts by state. */
export const readStats = defineScript('readStats', {
  keys: ['wait', 'claimed', 'active', 'delayed', 'dead'],
  args: ['now'],
  readOnly: true,
  decode: (reply): QueueStats => {
    const [waiting, active, delayed, dead] = arrayReply(reply, 'readStats').map(Number);
    return { waiting: waiting!, active: active!, delayed: delayed!, dead: dead! };
  },
});

/** Whether an id finished within retention. */
export const checkFinished = defineScript('checkFinished', {
  keys: ['finished', 'finishedAt'],
  args: ['id', 'cutoff'],
  readOnly: true,
  decode: (reply) => Number(reply) === 1,
});
