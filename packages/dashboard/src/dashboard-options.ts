import type { IncomingMessage } from 'node:http';
import type { Backend, Clock } from '@baton/core';

/**
 * What a request to the dashboard wants to do, as `authorize` sees it: `view` for every read (the
 * page, its JSON API, the live events), `metrics` for `/metrics`, and one action per change.
 */
export type DashboardAction = 'view' | 'metrics' | 'retry' | 'remove' | 'purge' | 'pause' | 'resume';

/** The actions that change something; refused with 405 in read-only mode. */
export const MUTATING_ACTIONS: readonly DashboardAction[] = ['retry', 'remove', 'purge', 'pause', 'resume'];

/** What an action is about, for `authorize`: the queue it names, if any. */
export interface DashboardTarget {
  queue?: string;
}

/** Something that serves Prometheus text: a `BatonMetrics` of `@baton/metrics`. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Options of `createDashboard`. */
export interface DashboardOptions {
  /** The backend whose queues, nodes, locks and elections the dashboard shows. */
  backend: Backend;
  /**
   * Refuse every change (redrive, remove, purge, pause, resume) with 405, whatever the page
   * shows. @default false
   */
  readOnly?: boolean;
  /**
   * Called before each request is served, with the action it asks for; resolve false to refuse
   * it with 403 (a throw answers 500). Runs after the read-only check. @default every action allowed
   */
  authorize?: (request: IncomingMessage, action: DashboardAction, target: DashboardTarget) => boolean | Promise<boolean>;
  /**
   * The path the handler answers under when it sees full request paths (plain `node:http`,
   * Fastify): `/ops/baton` serves `/ops/baton/…` and hands anything else to `next` (or 404).
   * Leave it empty under Express's `app.use('/ops/baton', handler)`, which strips the mount path.
   * The page uses relative URLs only, so a reverse proxy may add a prefix of its own. @default ''
   */
  basePath?: string;
  /** Registry groups whose nodes the page lists. @default ['baton'] (the Scheduler's) */
  groups?: readonly string[];
  /** Elections (`elect(name)`) whose leaders the page shows; others can be looked up by name. @default [] */
  elections?: readonly string[];
  /** Lock resources the page always shows; others can be looked up by name. @default [] */
  locks?: readonly string[];
  /**
   * Queues to show on a backend that cannot list its queues (without the `inspection`
   * capability); added to the listed ones otherwise. @default []
   */
  queues?: readonly string[];
  /** Served on `/metrics` (Prometheus text) when given, e.g. `new BatonMetrics({ backend })`. @default none: 404 */
  metrics?: MetricsSource;
  /** The backend's clock, against which ages (heartbeats, first waiting task) are read. @default new SystemClock() */
  clock?: Clock;
}
