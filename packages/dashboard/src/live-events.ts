import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBatonError, setClockTimeout, type Backend, type Clock, type QueueEvent, type QueueWatch } from '@baton/core';
import { queueNames } from './dashboard-reads.js';
import { SECURITY_HEADERS } from './http-io.js';

/** How often (clock ms) the queue list is read again while a page listens, to follow new queues. */
const RESCAN_MS = 5_000;
/** How often (clock ms) an idle event stream gets a comment, so proxies keep it open. */
const KEEPALIVE_MS = 20_000;
/** The window (ms) over which completions and failures per minute are counted. */
const RATE_WINDOW_MS = 60_000;

/** Completions and failures of one queue per minute, as this dashboard saw them in its events. */
export interface QueueRate {
  completedPerMinute: number;
  failedPerMinute: number;
  /** How long (ms, at most a minute) the counts cover: less while the dashboard has watched the queue for less. */
  windowMs: number;
}

/** Counts per second of one queue's endings, over the last RATE_WINDOW_MS. */
class RateWindow {
  private readonly seconds: Array<{ second: number; completed: number; failed: number }> = [];
  constructor(readonly since: number) {}

  add(at: number, kind: 'completed' | 'failed'): void {
    const second = Math.floor(at / 1_000);
    let last = this.seconds[this.seconds.length - 1];
    if (last === undefined || last.second !== second) {
      last = { second, completed: 0, failed: 0 };
      this.seconds.push(last);
      if (this.seconds.length > RATE_WINDOW_MS / 1_000 + 1) this.seconds.shift();
    }
    last[kind] += 1;
  }

  read(now: number): QueueRate {
    const from = Math.floor((now - RATE_WINDOW_MS) / 1_000);
    const recent = this.seconds.filter((s) => s.second > from);
    const windowMs = Math.max(1_000, Math.min(RATE_WINDOW_MS, now - this.since));
    const perMinute = (n: number): number => Math.round((n * 60_000 * 10) / windowMs) / 10;
    return {
      completedPerMinute: perMinute(recent.reduce((sum, s) => sum + s.completed, 0)),
      failedPerMinute: perMinute(recent.reduce((sum, s) => sum + s.failed, 0)),
      windowMs,
    };
  }
}

/**
 * The dashboard's live side: it watches every queue it shows (`queue.watch`) and the node groups
 * (`registry.watch`), pushes their events to the open pages as server-sent events, and counts
 * completions and failures for the rates. The pages reload what an event changed; nothing polls.
 */
export class LiveEvents {
  /** Each followed queue's subscription, or null when the backend has no `events` capability. */
  private readonly watches = new Map<string, QueueWatch | null>();
  private readonly rates = new Map<string, RateWindow>();
  private readonly unwatchGroups: Array<() => void> = [];
  private readonly streams = new Set<ServerResponse>();
  private readonly cancelTimers = new Set<() => void>();
  private timersRunning = false;
  private timerGeneration = 0;
  private known: string[] = [];
  private closed = false;

  constructor(
    private readonly backend: Backend,
    private readonly clock: Clock,
    private readonly configuredQueues: readonly string[],
    private readonly groups: readonly string[],
  ) {}

  /** Watches each queue of `names` not watched yet; resolves when every subscription is in place. */
  async follow(names: readonly string[]): Promise<void> {
    if (this.closed) return;
    const ready: Array<Promise<void>> = [];
    for (const name of names) {
      if (this.watches.has(name)) {
        const watch = this.watches.get(name);
        if (watch) ready.push(watch.ready);
        continue;
      }
      const watch = this.watchQueue(name);
      this.watches.set(name, watch);
      if (watch) ready.push(watch.ready.catch(() => undefined));
    }
    await Promise.all(ready);
  }

  /** The rate of `name`, or null when the dashboard cannot watch it (no `events` capability). */
  rate(name: string): QueueRate | null {
    return this.rates.get(name)?.read(this.clock.now()) ?? null;
  }

  /**
   * Serves the event stream to one page: `ready` once subscribed (with the queue names), then
   * `queue` (a QueueEvent), `nodes` (a join or leave) and `queues` (the list changed) events.
   */
  async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise hold the events back
      'x-accel-buffering': 'no',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    response.write('retry: 2000\n\n');
    this.streams.add(response);
    const drop = (): void => {
      this.streams.delete(response);
      if (this.streams.size === 0) this.stopTimersNow();
    };
    request.once('close', drop);
    response.once('close', drop);
    if (this.unwatchGroups.length === 0) this.watchGroups();
    if (!this.timersRunning) this.startTimers();
    const { names } = await queueNames(this.backend, this.configuredQueues);
    this.known = names;
    await this.follow(names);
    this.send(response, 'ready', { queues: names, live: names.filter((n) => this.watches.get(n) !== null) });
  }

  /** Ends every stream and subscription. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimersNow();
    for (const watch of this.watches.values()) watch?.();
    this.watches.clear();
    for (const unwatch of this.unwatchGroups.splice(0)) unwatch();
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  private watchQueue(name: string): QueueWatch | null {
    try {
      const watch = this.backend.queue(name).watch((event) => this.onQueueEvent(event));
      this.rates.set(name, new RateWindow(this.clock.now()));
      return watch;
    } catch (error) {
      if (isBatonError(error, 'NOT_SUPPORTED')) return null;
      throw error;
    }
  }

  private onQueueEvent(event: QueueEvent): void {
    if (event.type === 'completed' || event.type === 'failed') this.rates.get(event.queue)?.add(event.at, event.type);
    this.broadcast('queue', event);
  }

  private watchGroups(): void {
    for (const group of this.groups) {
      try {
        this.unwatchGroups.push(this.backend.registry(group).watch((event) => this.broadcast('nodes', { group, type: event.type, id: event.node.id })));
      } catch (error) {
        if (!isBatonError(error, 'NOT_SUPPORTED')) throw error;
      }
    }
  }

  private startTimers(): void {
    this.timersRunning = true;
    const generation = ++this.timerGeneration;
    const every = (ms: number, fn: () => Promise<void> | void): void => {
      const cancel = setClockTimeout(this.clock, ms, () => {
        this.cancelTimers.delete(cancel);
        void Promise.resolve(fn()).finally(() => {
          if (generation === this.timerGeneration) every(ms, fn);
        });
      });
      this.cancelTimers.add(cancel);
    };
    every(RESCAN_MS, () => this.rescan());
    every(KEEPALIVE_MS, () => {
      for (const stream of this.streams) stream.write(': keepalive\n\n');
    });
  }

  private stopTimersNow(): void {
    this.timersRunning = false;
    this.timerGeneration += 1;
    for (const cancel of this.cancelTimers) cancel();
    this.cancelTimers.clear();
  }

  // New queues appear without an event on the queues already watched: read the list again.
  private async rescan(): Promise<void> {
    try {
      const { names } = await queueNames(this.backend, this.configuredQueues);
      await this.follow(names);
      if (names.join('\n') !== this.known.join('\n')) {
        this.known = names;
        this.broadcast('queues', { queues: names });
      }
    } catch {
      // an unreachable backend: the next rescan tries again, the pages keep what they show
    }
  }

  private broadcast(type: string, data: unknown): void {
    for (const stream of this.streams) this.send(stream, type, data);
  }

  private send(stream: ServerResponse, type: string, data: unknown): void {
    if (stream.writableEnded || stream.destroyed) return;
    stream.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
