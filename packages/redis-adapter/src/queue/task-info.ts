import { InvalidCursorError, type TaskInfo, type TaskState } from '@baton/core';
import { decodeEnvelope } from './envelope.js';

// What readTask and listTasks answer per task (three texts), read into TaskInfo, and the store
// positions of listTasks. Times: `enqueuedAt`, `dueAt` (when the envelope carries the one its
// caller computed) and an active task's `deadline` are in the frame of the node that made them,
// as the Lease it got says; the ends (`endedAt`) are the server's.

/** How every Baton envelope starts; any other list element is a raw task (the element is its id and payload). */
const ENVELOPE_HEAD = '{"baton":1,';

interface StoredFields {
  holder?: unknown;
  skew?: unknown;
  dueAt?: unknown;
}

function extra(text: string): StoredFields {
  try {
    return JSON.parse(text) as StoredFields;
  } catch {
    return {};
  }
}

/** One task of a readTask or listTasks reply: its state and the three texts (see listTasks.lua). */
export function toTaskInfo(state: TaskState, a: string, b: string, c: string, where: string): TaskInfo {
  switch (state) {
    case 'finished': {
      const info: TaskInfo = { id: a, state, endedAt: Number(b) };
      if (c !== '') info.result = JSON.parse(c) as unknown;
      return info;
    }
    case 'cancelled': {
      const info: TaskInfo = { id: a, state, endedAt: Number(b) };
      if (c.startsWith('+')) info.reason = c.slice(1);
      return info;
    }
    case 'waiting': {
      if (!a.startsWith(ENVELOPE_HEAD)) return { id: a, state, payload: a, attempt: 0, enqueuedAt: 0, priority: 0 };
      return { ...decodeEnvelope(a, where), state };
    }
    case 'delayed': {
      const due = extra(a).dueAt;
      return { ...decodeEnvelope(a, where), state, dueAt: typeof due === 'number' ? due : Number(b) };
    }
    case 'active': {
      const { holder, skew } = extra(a);
      const info: TaskInfo = { ...decodeEnvelope(a, where), state, deadline: Number(b) + (typeof skew === 'number' ? skew : 0) };
      if (typeof holder === 'string') info.holder = holder;
      if (c !== '') info.progress = JSON.parse(c) as unknown;
      return info;
    }
    case 'dead': {
      const task = decodeEnvelope(a, where);
      return { ...task, state, lastError: task.lastError ?? '', endedAt: Number(b) };
    }
  }
}

/** Where a listTasks walk goes on: the segment and score of the last task, or its anchors (see listTasks.lua). */
export interface ListPosition {
  segment: 'H' | 'L' | 'T' | 'Z';
  score: number;
  anchors: string[];
}

/** Most characters of anchors a waiting position carries (the cursor stays well under 2,000 characters). */
const ANCHOR_CHARS = 600;

/** The position after the last of `tasks` (the page, with each task's second text `b`). */
export function positionAfter(state: TaskState, tasks: ReadonlyArray<{ id: string; b: string }>): string {
  const last = tasks[tasks.length - 1]!;
  if (state !== 'waiting') return JSON.stringify([Number(last.b), last.id]);
  if (last.b !== 'L') return JSON.stringify([last.b.slice(0, 1), Number(last.b.slice(1))]);
  const anchors: string[] = [];
  let chars = 0;
  for (let i = tasks.length - 1; i >= 0 && tasks[i]!.b === 'L' && anchors.length < 8; i--) {
    chars += tasks[i]!.id.length;
    if (anchors.length > 0 && chars > ANCHOR_CHARS) break;
    anchors.push(tasks[i]!.id);
  }
  return JSON.stringify(['L', anchors]);
}

/** Reads a position this store returned for `state`; InvalidCursorError otherwise. */
export function parsePosition(state: TaskState, text: string): ListPosition {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (Array.isArray(value) && value.length === 2) {
    const [first, second] = value as [unknown, unknown];
    if (state === 'waiting') {
      if ((first === 'H' || first === 'T') && typeof second === 'number' && Number.isFinite(second)) return { segment: first, score: second, anchors: [] };
      if (first === 'L' && Array.isArray(second) && second.length > 0 && second.every((id) => typeof id === 'string')) {
        return { segment: 'L', score: 0, anchors: second as string[] };
      }
    } else if (typeof first === 'number' && Number.isFinite(first) && typeof second === 'string') {
      return { segment: 'Z', score: first, anchors: [second] };
    }
  }
  throw new InvalidCursorError('options.cursor', 'does not name a position in this queue');
}
