import { ManualClock, NotSupportedError, silentLogger, type Backend } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { BatonMetrics } from '@baton/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard, type DashboardAction, type DashboardOptions } from '../src/index.js';
import { openEvents, proxyTo, serve, type TestServer } from './http-helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A memory backend on a ManualClock with queue `emails`: one dead letter, one active task, two waiting. */
async function seeded(): Promise<{ backend: MemoryBackend; clock: ManualClock }> {
  const clock = new ManualClock(1_700_000_000_000);
  const backend = new MemoryBackend({ clock, logger: silentLogger });
  cleanups.push(() => backend.close());
  const emails = backend.queue('emails', { maxAttempts: 1 });
  await emails.enqueue({ to: 'ada' }, { id: 'bounce' });
  const lease = await emails.dequeue();
  await emails.fail(lease!, new Error('mailbox full'));
  await emails.enqueueMany([
    { id: 'run', payload: { to: 'alan' } },
    { id: 'w1', payload: { to: 'grace' } },
    { id: 'w2', payload: { to: 'linus' } },
  ]);
  await emails.dequeue({ holder: 'node-1' });
  return { backend, clock };
}

/** Serves a dashboard of `backend`; resolves its base URL (ending in '/'). */
async function dashboard(options: Partial<DashboardOptions> & { backend: Backend }): Promise<{ url: string; server: TestServer }> {
  const handler = createDashboard(options);
  const server = await serve(handler);
  cleanups.push(async () => {
    await handler.close();
    await server.close();
  });
  return { url: `${server.url}${options.basePath ?? ''}/`, server };
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('dashboard handler over HTTP', () => {
  it('the overview shows each queue with counts by state, paused, the age of the first waiting task and its rate', async () => {
    const { backend, clock } = await seeded();
    await backend.queue('reports').enqueue({ month: 11 });
    await backend.queue('reports').pause();
    const { url } = await dashboard({ backend, clock });
    await getJson(`${url}api/overview`); // starts watching: the rate counts from here
    await clock.advance(90_000);
    const emails = backend.queue('emails');
    await emails.complete((await emails.dequeue())!);
    const { status, body } = await getJson(`${url}api/overview`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ backend: 'memory', readOnly: false, listed: true });
    const [first, second] = body.queues as Array<Record<string, unknown>>;
    expect(first).toMatchObject({ name: 'emails', waiting: 1, active: 1, delayed: 0, dead: 1, paused: false, oldestWaitingMs: 90_000 });
    expect(first!.rate).toEqual({ completedPerMinute: 1, failedPerMinute: 0, windowMs: 60_000 });
    expect(second).toMatchObject({ name: 'reports', waiting: 1, paused: true });
  });

  it('pages through the tasks of a state with the cursor, each task once, and refuses a bad state, limit or cursor', async () => {
    const { backend, clock } = await seeded();
    await backend.queue('emails').enqueueMany(Array.from({ length: 5 }, (_, i) => ({ id: `more-${i}`, payload: i })));
    const { url } = await dashboard({ backend, clock });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = new URLSearchParams({ state: 'waiting', limit: '2', ...(cursor ? { cursor } : {}) }).toString();
      const { status, body } = await getJson(`${url}api/queues/emails/tasks?${query}`);
      expect(status).toBe(200);
      seen.push(...(body.tasks as Array<{ id: string }>).map((t) => t.id));
      cursor = body.cursor as string | null;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(['w1', 'w2', 'more-0', 'more-1', 'more-2', 'more-3', 'more-4']);
    expect(pages).toBe(4);
    expect((await getJson(`${url}api/queues/emails/tasks?state=sleeping`)).status).toBe(400);
    expect((await getJson(`${url}api/queues/emails/tasks?limit=0`)).status).toBe(400);
    expect((await getJson(`${url}api/queues/emails/tasks?cursor=not-a-cursor`)).status).toBe(400);
    expect((await getJson(`${url}api/queues/nope/tasks`)).body).toMatchObject({ error: 'unknown queue "nope"' });
  });

  it('shows one task: payload, attempt, lease holder and deadline of an active one, the error of a dead one; 404 for an unknown id', async () => {
    const { backend, clock } = await seeded();
    const { url } = await dashboard({ backend, clock });
    const active = await getJson(`${url}api/queues/emails/tasks/run`);
    expect(active.body.task).toMatchObject({
      id: 'run',
      state: 'active',
      attempt: 1,
      holder: 'node-1',
      payload: { to: 'alan' },
      deadline: clock.now() + 30_000,
    });
    const dead = await getJson(`${url}api/queues/emails/tasks/bounce`);
    expect(dead.body.task).toMatchObject({ state: 'dead', lastError: 'Error: mailbox full', payload: { to: 'ada' } });
    expect((await getJson(`${url}api/queues/emails/tasks/nobody`)).status).toBe(404);
    expect((await getJson(`${url}api/queues/emails/tasks/%E0%A4%A`)).status).toBe(400);
  });

  it('redrives dead letters by id and all at once, removes, purges, pauses and resumes', async () => {
    const { backend, clock } = await seeded();
    const emails = backend.queue('emails');
    const { url } = await dashboard({ backend, clock });
    const redrive = await post(`${url}api/queues/emails/retry`, { ids: ['bounce'] });
    expect(await redrive.json()).toEqual({ redriven: 1 });
    expect(await emails.get('bounce')).toMatchObject({ state: 'waiting', attempt: 0 });
    expect((await post(`${url}api/queues/emails/retry`, { all: 'yes' })).status).toBe(400);
    expect(await (await post(`${url}api/queues/emails/retry`, { all: true })).json()).toEqual({ redriven: 0 });
    expect((await fetch(`${url}api/queues/emails/tasks/w1`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${url}api/queues/emails/tasks/run`, { method: 'DELETE' })).status).toBe(409);
    expect(await (await post(`${url}api/queues/emails/purge`, { state: 'waiting' })).json()).toEqual({ removed: 2 });
    expect((await post(`${url}api/queues/emails/pause`, {})).status).toBe(200);
    expect(await emails.isPaused()).toBe(true);
    await post(`${url}api/queues/emails/resume`, {});
    expect(await emails.isPaused()).toBe(false);
  });

  it('read-only: every change is refused with 405 by the server, and nothing changes; reads still work', async () => {
    const { backend, clock } = await seeded();
    const emails = backend.queue('emails');
    const { url } = await dashboard({ backend, clock, readOnly: true });
    const refused = await post(`${url}api/queues/emails/retry`, { ids: ['bounce'] });
    expect(refused.status).toBe(405);
    expect(await refused.json()).toMatchObject({ readOnly: true });
    expect((await post(`${url}api/queues/emails/retry`, { all: true })).status).toBe(405);
    expect((await post(`${url}api/queues/emails/purge`, { state: 'dead' })).status).toBe(405);
    expect((await post(`${url}api/queues/emails/pause`, {})).status).toBe(405);
    const remove = await fetch(`${url}api/queues/emails/tasks/bounce`, { method: 'DELETE' });
    expect(remove.status).toBe(405);
    expect(remove.headers.get('allow')).toBe('GET, HEAD');
    expect(await emails.get('bounce')).toMatchObject({ state: 'dead' });
    expect(await emails.isPaused()).toBe(false);
    expect((await getJson(`${url}api/overview`)).body).toMatchObject({ readOnly: true });
    expect((await getJson(`${url}api/queues/emails/tasks?state=dead`)).status).toBe(200);
  });

  it('authorize is asked for each request with its action and queue; false answers 403 and changes nothing', async () => {
    const { backend, clock } = await seeded();
    const asked: Array<[DashboardAction, string | undefined]> = [];
    const { url } = await dashboard({
      backend,
      clock,
      authorize: (request, action, target) => {
        asked.push([action, target.queue]);
        return action === 'view' || request.headers['x-role'] === 'admin';
      },
    });
    expect((await post(`${url}api/queues/emails/retry`, { ids: ['bounce'] })).status).toBe(403);
    expect(await backend.queue('emails').get('bounce')).toMatchObject({ state: 'dead' });
    const admin = await fetch(`${url}api/queues/emails/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-role': 'admin' },
      body: JSON.stringify({ ids: ['bounce'] }),
    });
    expect(admin.status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    expect(asked).toEqual([
      ['retry', 'emails'],
      ['retry', 'emails'],
      ['view', undefined],
    ]);

    const closed = await dashboard({ backend, clock, authorize: () => false });
    expect((await fetch(closed.url)).status).toBe(403);
    expect((await getJson(`${closed.url}api/overview`)).status).toBe(403);
    expect((await fetch(`${closed.url}api/events`)).status).toBe(403);
  });

  it('a change must be sent as JSON (a cross-site form post is refused with 415)', async () => {
    const { backend, clock } = await seeded();
    const { url } = await dashboard({ backend, clock });
    const form = await fetch(`${url}api/queues/emails/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'all=true',
    });
    expect(form.status).toBe(415);
    expect(await backend.queue('emails').get('bounce')).toMatchObject({ state: 'dead' });
  });

  it('the event stream pushes the queue events as they happen, from queue.watch', async () => {
    const { backend, clock } = await seeded();
    const { url } = await dashboard({ backend, clock });
    const events = await openEvents(`${url}api/events`);
    cleanups.push(() => events.close());
    expect((await events.next('ready')).data).toEqual({ queues: ['emails'], live: ['emails'] });
    const head = await fetch(`${url}api/events`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    await backend.queue('emails').enqueue({ to: 'barbara' }, { id: 'late' });
    expect((await events.next('queue')).data).toMatchObject({ type: 'enqueued', queue: 'emails', ids: ['late'] });
    const emails = backend.queue('emails', { maxAttempts: 1 });
    await emails.fail((await emails.dequeue())!, new Error('no route'));
    expect((await events.next('queue')).data).toMatchObject({ type: 'active' });
    expect((await events.next('queue')).data).toMatchObject({ type: 'failed', error: 'Error: no route', willRetry: false });
    expect((await events.next('queue')).data).toMatchObject({ type: 'dead', id: 'w1' });
  });

  it('the event stream follows a queue created after it opened, and registry joins', async () => {
    const { backend, clock } = await seeded();
    const { url } = await dashboard({ backend, clock });
    const events = await openEvents(`${url}api/events`);
    cleanups.push(() => events.close());
    await events.next('ready');
    await backend.queue('reports').enqueue({ month: 11 });
    const registration = await backend.registry('baton').register({ id: 'node-9' });
    cleanups.push(() => registration.deregister());
    expect((await events.next('nodes')).data).toEqual({ group: 'baton', type: 'join', id: 'node-9' });
    await clock.advance(5_000);
    expect((await events.next('queues')).data).toEqual({ queues: ['emails', 'reports'] });
    await backend.queue('reports').enqueue({ month: 12 }, { id: 'december' });
    expect((await events.next('queue')).data).toMatchObject({ queue: 'reports', ids: ['december'] });
  });

  it('nodes with heartbeat age, locks by resource with fence and waiters, and leaders', async () => {
    const { backend, clock } = await seeded();
    await backend.registry('baton', { ttlMs: 60_000 }).register({ id: 'node-1', meta: { host: 'web-1' } });
    const held = await backend.locks().acquire('nightly-report', { ttlMs: 30_000 });
    await backend.locks().acquire('election:scheduler', { ttlMs: 10_000 });
    await clock.advance(4_000);
    const { url } = await dashboard({ backend, clock, elections: ['scheduler'], locks: ['nightly-report'] });
    const nodes = await getJson(`${url}api/nodes`);
    expect(nodes.body.groups).toEqual([
      { group: 'baton', nodes: [expect.objectContaining({ id: 'node-1', meta: { host: 'web-1' }, heartbeatAgeMs: expect.any(Number) as number })] },
    ]);
    const age = (nodes.body.groups as Array<{ nodes: Array<{ heartbeatAgeMs: number }> }>)[0]!.nodes[0]!.heartbeatAgeMs;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThanOrEqual(4_000);
    const locks = await getJson(`${url}api/locks?resource=free-one`);
    expect(locks.body.locks).toEqual([
      { resource: 'nightly-report', holder: { fence: held.fence, expiresInMs: 26_000 }, fence: held.fence, waiters: 0 },
      { resource: 'free-one', holder: null, fence: 0, waiters: 0 },
    ]);
    const leaders = await getJson(`${url}api/leaders?name=other`);
    expect(leaders.body.elections).toEqual([
      { name: 'scheduler', led: true, term: 1, expiresInMs: 6_000, candidates: 0 },
      { name: 'other', led: false, term: 0, expiresInMs: null, candidates: 0 },
    ]);
  });

  it('says "not supported by this backend" (501) for what a backend lacks, and shows what it has', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const hidden: Record<string, readonly string[]> = {
      queue: ['get', 'list', 'retryDead', 'remove', 'purge', 'setPaused', 'isPaused'],
      lock: ['inspect'],
    };
    const memory = new MemoryBackend({
      clock,
      logger: silentLogger,
      wrapStore: (kind, store) =>
        new Proxy(store, { get: (target, key, receiver) => (hidden[kind]?.includes(String(key)) ? undefined : Reflect.get(target, key, receiver)) }),
    });
    cleanups.push(() => memory.close());
    const backend = new Proxy(memory, {
      get: (target, key, receiver) =>
        key === 'queues' ? () => Promise.reject(new NotSupportedError('backend.queues', 'inspection')) : (Reflect.get(target, key, receiver) as unknown),
    });
    await backend.queue('emails').enqueue({ to: 'ada' });
    const { url } = await dashboard({ backend, clock, queues: ['emails'], locks: ['nightly-report'] });
    const overview = await getJson(`${url}api/overview`);
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({ listed: false, queues: [{ name: 'emails', waiting: 1, paused: null, oldestWaitingMs: null }] });
    const tasks = await getJson(`${url}api/queues/emails/tasks`);
    expect(tasks).toEqual({ status: 501, body: { error: 'not supported by this backend', capability: 'inspection', code: 'NOT_SUPPORTED' } });
    expect((await post(`${url}api/queues/emails/pause`, {})).status).toBe(501);
    expect((await getJson(`${url}api/locks`)).body).toMatchObject({ error: 'not supported by this backend', capability: 'lockInspection' });
  });

  it('serves /metrics from a BatonMetrics given as the metrics option, and 404 without one', async () => {
    const { backend, clock } = await seeded();
    const metrics = new BatonMetrics({ backend, queues: ['emails'] });
    cleanups.push(() => metrics.close());
    const withMetrics = await dashboard({ backend, clock, metrics });
    const response = await fetch(`${withMetrics.url}metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('baton_queue_tasks{queue="emails",state="dead"} 1');
    const without = await dashboard({ backend, clock });
    expect((await fetch(`${without.url}metrics`)).status).toBe(404);
  });

  it('serves the page under basePath with relative URLs only; other paths go to next()', async () => {
    const { backend, clock } = await seeded();
    const handler = createDashboard({ backend, clock, basePath: '/ops/baton/' });
    let passed = 0;
    const server = await serve((req, res) =>
      handler(req, res, () => {
        passed += 1;
        res.writeHead(418).end();
      }),
    );
    cleanups.push(async () => {
      await handler.close();
      await server.close();
    });
    const bare = await fetch(`${server.url}/ops/baton`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('./baton/');
    const page = await fetch(`${server.url}/ops/baton/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="app.js"');
    expect(html).not.toMatch(/(src|href)="\//);
    expect(html).not.toMatch(/<script>/);
    expect((await fetch(`${server.url}/ops/baton/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${server.url}/ops/batons`)).status).toBe(418);
    expect((await fetch(`${server.url}/`)).status).toBe(418);
    expect(passed).toBe(2);
    expect((await fetch(`${server.url}/ops/baton/api/nothing`)).status).toBe(404);
  });

  it('mounted Express-style (the mount path stripped into originalUrl), the bare mount path redirects to itself with a slash', async () => {
    const { backend, clock } = await seeded();
    const handler = createDashboard({ backend, clock });
    const server = await serve((req, res) => {
      const original = req.url!;
      if (!original.startsWith('/admin/queues')) return void res.writeHead(404).end();
      Object.assign(req, { originalUrl: original, url: original.slice('/admin/queues'.length) || '/' });
      handler(req, res);
    });
    cleanups.push(async () => {
      await handler.close();
      await server.close();
    });
    const bare = await fetch(`${server.url}/admin/queues`, { redirect: 'manual' });
    expect(bare.headers.get('location')).toBe('./queues/');
    expect((await fetch(`${server.url}/admin/queues/`, { redirect: 'manual' })).status).toBe(200);
    expect((await getJson(`${server.url}/admin/queues/api/overview`)).status).toBe(200);
  });

  it('works behind a reverse proxy that serves it on a sub-path (/ops/baton/)', async () => {
    const { backend, clock } = await seeded();
    const { server } = await dashboard({ backend, clock });
    const proxy = await serve(proxyTo(server.url, '/ops/baton/'));
    cleanups.push(() => proxy.close());
    const base = `${proxy.url}/ops/baton/`;
    const html = await (await fetch(base)).text();
    for (const [, ref] of html.matchAll(/(?:src|href)="([^"#]+)"/g)) {
      expect((await fetch(new URL(ref!, base))).status, ref).toBe(200);
    }
    expect((await getJson(new URL('api/overview', base).toString())).body).toMatchObject({ queues: [{ name: 'emails' }] });
    expect((await post(new URL('api/queues/emails/retry', base).toString(), { ids: ['bounce'] })).status).toBe(200);
    const events = await openEvents(new URL('api/events', base).toString());
    cleanups.push(() => events.close());
    await events.next('ready');
    await backend.queue('emails').enqueue({}, { id: 'through-proxy' });
    expect((await events.next('queue')).data).toMatchObject({ ids: ['through-proxy'] });
  });

  it('refuses bad options with InvalidArgumentError', () => {
    const backend = new MemoryBackend({ clock: new ManualClock() });
    cleanups.push(() => backend.close());
    expect(() => createDashboard({} as DashboardOptions)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    expect(() => createDashboard({ backend, basePath: 'ops' })).toThrow(/basePath/);
    expect(() => createDashboard({ backend, groups: 'baton' as unknown as string[] })).toThrow(/groups/);
  });
});
