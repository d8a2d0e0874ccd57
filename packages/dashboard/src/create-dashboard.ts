import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError, SystemClock } from '@baton/core';
import { API_ROUTES, checkQueue, type Route, type RouteContext } from './api-routes.js';
import { MUTATING_ACTIONS, type DashboardOptions } from './dashboard-options.js';
import { HttpError, SECURITY_HEADERS, sendError } from './http-io.js';
import { LiveEvents } from './live-events.js';
import { assetAt } from './static-assets.js';

/**
 * The dashboard as a request handler of `node:http` (and of Express and Fastify, which take such
 * handlers), with `close()` to end its event streams and subscriptions.
 */
export interface DashboardHandler {
  (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void;
  /** Ends the open event streams and the backend subscriptions. Idempotent; the backend stays open. */
  close(): Promise<void>;
}

/** `basePath` without its trailing slash; throws InvalidArgumentError unless it is '' or starts with '/'. */
function normalizeBasePath(basePath: string | undefined): string {
  const base = basePath ?? '';
  if (typeof base !== 'string' || (base !== '' && !base.startsWith('/')) || /[?#\s]/.test(base)) {
    throw new InvalidArgumentError('options.basePath', 'must be empty or a path starting with "/" (e.g. "/ops/baton")');
  }
  return base.replace(/\/+$/, '');
}

function names(option: readonly string[] | undefined, what: string, fallback: readonly string[]): readonly string[] {
  if (option === undefined) return fallback;
  if (!Array.isArray(option) || !option.every((n) => typeof n === 'string' && n !== '')) {
    throw new InvalidArgumentError(`options.${what}`, 'must be an array of non-empty names');
  }
  return [...option];
}

/** The path parameters of `route` for `path`, decoded; 400 for a malformed escape. */
function params(route: Route, path: string): string[] {
  try {
    return route.path.exec(path)!.slice(1).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, 'the path holds a malformed %-escape');
  }
}

/**
 * Creates the dashboard handler: the page (plain HTML, CSS and JavaScript), its JSON API under
 * `api/`, the live event stream `api/events` and `metrics`, all at paths relative to where it is
 * mounted. Changes are refused with 405 when `readOnly`, and with 403 when `authorize` says no.
 * Requests outside `basePath` go to `next` (404 without it). Throws InvalidArgumentError for bad
 * options.
 */
export function createDashboard(options: DashboardOptions): DashboardHandler {
  if (options?.backend === undefined || typeof options.backend.queue !== 'function') {
    throw new InvalidArgumentError('options.backend', 'must be a Baton backend (e.g. new RedisBackend({ url }))');
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new InvalidArgumentError('options.authorize', 'must be a function (request, action, target) => boolean');
  }
  const base = normalizeBasePath(options.basePath);
  const backend = options.backend;
  const clock = options.clock ?? new SystemClock();
  const readOnly = options.readOnly === true;
  const groups = names(options.groups, 'groups', ['baton']);
  const queues = names(options.queues, 'queues', []);
  const live = new LiveEvents(backend, clock, queues, groups);
  const shared = {
    backend,
    clock,
    live,
    readOnly,
    groups,
    queues,
    elections: names(options.elections, 'elections', []),
    locks: names(options.locks, 'locks', []),
    metrics: options.metrics,
  };

  async function serve(request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    if (path === '' || path === '/' || assetAt(path)) {
      if (method !== 'GET') throw new HttpError(405, 'the page is read with GET', { allow: 'GET, HEAD' });
      await authorize(request, 'view', {});
      if (path === '' || (path === '/' && !originalEndsWithSlash(request))) return redirectToSlash(request, response);
      const asset = assetAt(path)!;
      const body = await asset.body();
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type, 'content-length': body.length });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    const matching = API_ROUTES.filter((r) => r.path.test(path));
    if (matching.length === 0) throw new HttpError(404, `nothing at ${path}`);
    const route = matching.find((r) => r.method === method);
    const readable = matching.filter((r) => r.method === 'GET').length > 0 ? 'GET, HEAD' : '';
    if (route === undefined) throw new HttpError(405, `${method} is not allowed here`, { allow: [...new Set(matching.map((r) => r.method))].join(', ') });
    if (readOnly && MUTATING_ACTIONS.includes(route.action)) {
      throw new HttpError(405, `the dashboard is read-only: ${route.action} is refused`, { allow: readable }, { readOnly: true });
    }
    const ctx: RouteContext = { request, response, params: params(route, path), query, ...shared };
    await authorize(request, route.action, route.queueParam === undefined ? {} : { queue: ctx.params[route.queueParam]! });
    await checkQueue(ctx, route);
    await route.run(ctx);
  }

  async function authorize(
    request: IncomingMessage,
    action: Parameters<NonNullable<DashboardOptions['authorize']>>[1],
    target: { queue?: string },
  ): Promise<void> {
    if (options.authorize === undefined) return;
    if ((await options.authorize(request, action, target)) !== true) throw new HttpError(403, `not allowed: ${action}`);
  }

  const handler = ((request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void => {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    if (base !== '' && path !== base && !path.startsWith(`${base}/`)) {
      if (next) return next();
      sendError(response, new HttpError(404, `nothing at ${path}`));
      return;
    }
    serve(request, response, path.slice(base.length), url.searchParams).catch((error: unknown) => sendError(response, error));
  }) as DashboardHandler;
  handler.close = async () => live.close();
  return handler;
}

/** The path the client asked for: Express keeps it in `originalUrl` when it strips the mount path. */
function originalUrl(request: IncomingMessage): URL {
  return new URL((request as { originalUrl?: string }).originalUrl ?? request.url ?? '/', 'http://dashboard.invalid');
}

function originalEndsWithSlash(request: IncomingMessage): boolean {
  return originalUrl(request).pathname.endsWith('/');
}

/**
 * The page's URLs are relative, so it must be served at a path ending in '/': the root without it
 * is redirected relative to itself (`…/baton` to `baton/`), which stays right behind a proxy that
 * adds a prefix of its own.
 */
function redirectToSlash(request: IncomingMessage, response: ServerResponse): void {
  const original = originalUrl(request);
  const last = original.pathname.split('/').pop() ?? '';
  response.writeHead(302, { ...SECURITY_HEADERS, location: `./${last}/${original.search}` }).end();
}
