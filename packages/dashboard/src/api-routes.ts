import type { IncomingMessage, ServerResponse } from 'node:http';
import { TASK_STATES, type Backend, type Clock, type PurgeableState } from '@baton/core';
import { assertKnownQueue, electionStates, nodeGroups, parseLimit, parseState, queueNames, queueRow } from './dashboard-reads.js';
import type { DashboardAction, MetricsSource } from './dashboard-options.js';
import { HttpError, readJsonBody, SECURITY_HEADERS, sendJson } from './http-io.js';
import type { LiveEvents } from './live-events.js';

/** What a route needs: the options in force and the request. */
export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  /** The decoded path parameters (queue name, task id). */
  params: string[];
  query: URLSearchParams;
  backend: Backend;
  clock: Clock;
  live: LiveEvents;
  readOnly: boolean;
  groups: readonly string[];
  elections: readonly string[];
  locks: readonly string[];
  queues: readonly string[];
  metrics: MetricsSource | undefined;
}

/** One endpoint of the dashboard. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Matches the path below the dashboard's root; its groups are the (still encoded) parameters. */
  path: RegExp;
  action: DashboardAction;
  /** Which of `params` names a queue (for `authorize` and the known-queue check). */
  queueParam?: number;
  run(ctx: RouteContext): Promise<void>;
}

const SEGMENT = '([^/]+)';
const queuePath = (tail: string): RegExp => new RegExp(`^/api/queues/${SEGMENT}${tail}$`);

/** A list of names in a query parameter given once or more: `?name=a&name=b`. */
function namesParam(query: URLSearchParams, key: string): string[] {
  return query.getAll(key).filter((v) => v !== '');
}

/** The ids (or all) of a redrive body: `{ ids: [...] }` or `{ all: true }`. */
function retryTarget(body: unknown): readonly string[] | { all: true } {
  const b = (body ?? {}) as { ids?: unknown; all?: unknown };
  if (b.all === true && b.ids === undefined) return { all: true };
  if (b.all === undefined && Array.isArray(b.ids) && b.ids.length > 0 && b.ids.every((id) => typeof id === 'string')) return b.ids as string[];
  throw new HttpError(400, 'give { "ids": ["…"] } (a non-empty array of task ids) or { "all": true }');
}

/** The JSON API of the page, `/metrics` and the event stream. */
export const API_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/overview$/,
    action: 'view',
    async run(ctx) {
      const { names, listed } = await queueNames(ctx.backend, ctx.queues);
      // watching starts here, so that the rates cover the time since the page was first opened
      await ctx.live.follow(names);
      const rows = await Promise.all(names.map((name) => queueRow(ctx.backend, ctx.clock, name)));
      sendJson(ctx.response, 200, {
        backend: ctx.backend.kind,
        readOnly: ctx.readOnly,
        listed,
        queues: rows.map((row) => ({ ...row, rate: ctx.live.rate(row.name) })),
        groups: ctx.groups,
        elections: ctx.elections,
        locks: ctx.locks,
        states: TASK_STATES,
      });
    },
  },
  {
    method: 'GET',
    path: queuePath('/tasks'),
    action: 'view',
    queueParam: 0,
    async run(ctx) {
      const name = ctx.params[0]!;
      const state = parseState(ctx.query.get('state'));
      const limit = parseLimit(ctx.query.get('limit'));
      const cursor = ctx.query.get('cursor');
      const [row, page] = await Promise.all([
        queueRow(ctx.backend, ctx.clock, name),
        ctx.backend.queue(name).list(state, { limit, ...(cursor ? { cursor } : {}) }),
      ]);
      sendJson(ctx.response, 200, { queue: { ...row, rate: ctx.live.rate(name) }, state, readOnly: ctx.readOnly, now: ctx.clock.now(), ...page });
    },
  },
  {
    method: 'GET',
    path: queuePath(`/tasks/${SEGMENT}`),
    action: 'view',
    queueParam: 0,
    async run(ctx) {
      const [name, id] = ctx.params as [string, string];
      const task = await ctx.backend.queue(name).get(id);
      if (task === undefined) throw new HttpError(404, `no task "${id}" in queue "${name}" (unknown, or its end was forgotten)`);
      sendJson(ctx.response, 200, { queue: name, readOnly: ctx.readOnly, now: ctx.clock.now(), task });
    },
  },
  {
    method: 'DELETE',
    path: queuePath(`/tasks/${SEGMENT}`),
    action: 'remove',
    queueParam: 0,
    async run(ctx) {
      const [name, id] = ctx.params as [string, string];
      const result = await ctx.backend.queue(name).remove(id);
      if (result === 'not-found') throw new HttpError(404, `no task "${id}" in queue "${name}"`);
      if (result === 'active') throw new HttpError(409, `task "${id}" is active: nothing changed; cancel it instead`);
      sendJson(ctx.response, 200, { removed: id });
    },
  },
  {
    method: 'POST',
    path: queuePath('/retry'),
    action: 'retry',
    queueParam: 0,
    async run(ctx) {
      const target = retryTarget(await readJsonBody(ctx.request));
      const redriven = await ctx.backend.queue(ctx.params[0]!).retryDead(target);
      sendJson(ctx.response, 200, { redriven });
    },
  },
  {
    method: 'POST',
    path: queuePath('/purge'),
    action: 'purge',
    queueParam: 0,
    async run(ctx) {
      const { state } = ((await readJsonBody(ctx.request)) ?? {}) as { state?: unknown };
      if (typeof state !== 'string' || state === 'active' || !(TASK_STATES as readonly string[]).includes(state)) {
        throw new HttpError(400, 'give { "state": "…" }: waiting, delayed, finished, dead or cancelled');
      }
      const removed = await ctx.backend.queue(ctx.params[0]!).purge(state as PurgeableState);
      sendJson(ctx.response, 200, { removed });
    },
  },
  ...(['pause', 'resume'] as const).map((action): Route => ({
    method: 'POST',
    path: queuePath(`/${action}`),
    action,
    queueParam: 0,
    async run(ctx) {
      await readJsonBody(ctx.request);
      const queue = ctx.backend.queue(ctx.params[0]!);
      if (action === 'pause') await queue.pause();
      else await queue.resume();
      sendJson(ctx.response, 200, { paused: action === 'pause' });
    },
  })),
  {
    method: 'GET',
    path: /^\/api\/nodes$/,
    action: 'view',
    async run(ctx) {
      const groups = [...new Set([...ctx.groups, ...namesParam(ctx.query, 'group')])];
      sendJson(ctx.response, 200, { groups: await nodeGroups(ctx.backend, ctx.clock, groups) });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/locks$/,
    action: 'view',
    async run(ctx) {
      const resources = [...new Set([...ctx.locks, ...namesParam(ctx.query, 'resource')])];
      const locks = ctx.backend.locks();
      sendJson(ctx.response, 200, { locks: await Promise.all(resources.map((r) => locks.inspect(r))) });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/leaders$/,
    action: 'view',
    async run(ctx) {
      const names = [...new Set([...ctx.elections, ...namesParam(ctx.query, 'name')])];
      sendJson(ctx.response, 200, { elections: await electionStates(ctx.backend, names) });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/events$/,
    action: 'view',
    run: (ctx) => ctx.live.serve(ctx.request, ctx.response),
  },
  {
    method: 'GET',
    path: /^\/metrics$/,
    action: 'metrics',
    async run(ctx) {
      if (ctx.metrics === undefined) throw new HttpError(404, 'no metrics: give the dashboard a metrics option (new BatonMetrics({ backend }))');
      const text = await ctx.metrics.metrics();
      ctx.response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': ctx.metrics.contentType });
      ctx.response.end(ctx.request.method === 'HEAD' ? undefined : text);
    },
  },
];

/** Throws 404 unless the route's queue is one the backend knows (or a configured one). */
export async function checkQueue(ctx: RouteContext, route: Route): Promise<void> {
  if (route.queueParam !== undefined) await assertKnownQueue(ctx.backend, ctx.queues, ctx.params[route.queueParam]!);
}
