import { setClockTimeout, type QueueEvent, type QueueEventType } from '@baton/core';
import { newToken, type QueueSubscription } from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';
import { EVENT_BITS } from './event-sql.js';
import type { QueueSql } from './queue-sql.js';

/** How long a watcher's registration lasts without renewal (database ms); renewed every third of it. */
const WATCH_TTL_MS = 30_000;
/** First pause before retrying a failed registration (ms); doubles up to 5 s. */
const RETRY_MS = 100;

interface Entry {
  listener: (event: QueueEvent) => void;
  types: ReadonlySet<QueueEventType> | undefined;
}

/** An event as the statements send it (see event-sql.ts): without `queue`, maybe a part or without its big field. */
type Wire = Record<string, unknown> & { type: QueueEventType; more?: boolean; reread?: boolean; id?: string; ids?: string[] };

interface RereadRow {
  state: number;
  result: string | null;
  progress: string | null;
  last_error: string | null;
  cancel_reason: string | null;
}

/**
 * The events of one queue in one backend, shared by every `watch` of its handles: the queue's
 * events channel is LISTENed on the backend's LISTEN connection, and a row in `queue_watchers`
 * (renewed every 10 s, lasting 30 s) tells the statements which event types someone wants, so
 * that nothing is built or sent for a queue nobody watches. Notifications are handled one after
 * another: parts of an id list are joined, a field left out for size is read from the task's row
 * (then the value delivered is the row's at that moment), and each listener gets its own copy.
 * After the LISTEN connection comes back, every listener gets `reconnected` and the registration
 * is renewed (an unlogged table is emptied by a server crash).
 */
export class PgQueueEvents {
  private readonly entries = new Set<Entry>();
  private readonly watcher = newToken();
  private mask = 0;
  private registering: Promise<void> | undefined;
  private registeredMask = -1;
  private cancelRenewal: () => void = () => undefined;
  private removeHandler: (() => void) | undefined;
  private listening: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private partial: Wire | undefined;

  constructor(
    private readonly ctx: PgContext,
    private readonly queue: string,
    private readonly channel: string,
    private readonly sql: QueueSql,
  ) {
    ctx.onClose(() => this.cancelRenewal());
    ctx.onClose(
      ctx.listener.onReconnect(() => {
        if (this.entries.size === 0) return;
        this.partial = undefined;
        this.deliver({ type: 'reconnected', queue: this.queue, at: this.ctx.clock.now() });
        this.registeredMask = -1;
        void this.register();
      }),
    );
  }

  /** Adds a listener; `ready` resolves once LISTEN and the registration for its types are in place. */
  subscribe(listener: (event: QueueEvent) => void, types: ReadonlySet<QueueEventType> | undefined): QueueSubscription {
    const entry: Entry = { listener, types };
    this.entries.add(entry);
    this.mask = this.wanted();
    const ready = this.listen().then(() => this.register());
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.entries.delete(entry);
      if (this.entries.size > 0) return;
      this.mask = 0;
      this.cancelRenewal();
      this.registeredMask = -1;
      if (!this.ctx.closed)
        this.ctx.db
          .query(this.sql.unwatch, [this.queue, this.watcher])
          .catch((error: unknown) => this.ctx.logger.debug('removing a queue watcher failed; it expires', { queue: this.queue, error: String(error) }));
    };
    return { ready, close };
  }

  private wanted(): number {
    let mask = 0;
    for (const { types } of this.entries) {
      if (types === undefined) return Object.values(EVENT_BITS).reduce((a, b) => a | b, 0);
      for (const type of types) mask |= (EVENT_BITS as Record<string, number>)[type] ?? 0;
    }
    return mask;
  }

  // LISTEN once; the handler stays for the backend's life (the channel stays LISTENed anyway).
  private listen(): Promise<void> {
    this.listening ??= this.retrying('listening for queue events', async () => {
      this.removeHandler ??= await this.ctx.listener.listen(this.channel, (payload) => this.onNotify(payload));
    });
    return this.listening;
  }

  // Upserts the registration with the current mask; renews it every third of its TTL.
  private register(): Promise<void> {
    if (this.ctx.closed || this.entries.size === 0 || this.registeredMask === this.mask) return this.registering ?? Promise.resolve();
    const mask = this.mask;
    const run = this.retrying('registering a queue watcher', async () => {
      if (this.entries.size === 0) return;
      await this.ctx.db.query(this.sql.watch, [this.queue, this.watcher, this.channel, mask, WATCH_TTL_MS]);
      if (this.mask === mask) this.registeredMask = mask;
      this.cancelRenewal();
      this.cancelRenewal = setClockTimeout(this.ctx.clock, WATCH_TTL_MS / 3, () => {
        this.registeredMask = -1;
        void this.register();
      });
    });
    this.registering = run.then(() => (this.registeredMask === this.mask ? undefined : this.register()));
    return this.registering;
  }

  // Runs `step` until it succeeds or the backend closes (then resolves): `ready` never rejects.
  private async retrying(what: string, step: () => Promise<void>): Promise<void> {
    for (let pause = RETRY_MS; !this.ctx.closed; pause = Math.min(5_000, pause * 2)) {
      try {
        await step();
        return;
      } catch (error) {
        this.ctx.logger.warn(`${what} failed; retrying`, { queue: this.queue, error: String(error) });
        await new Promise<void>((resolve) => setClockTimeout(this.ctx.clock, pause, resolve));
      }
    }
  }

  private onNotify(payload: string): void {
    let events: Wire[];
    try {
      events = JSON.parse(payload) as Wire[];
    } catch (error) {
      this.ctx.logger.warn('a queue event notification is not JSON; ignored', { queue: this.queue, error: String(error) });
      return;
    }
    for (const wire of events) {
      if (this.partial && this.partial.type === wire.type && wire.ids) wire.ids = [...(this.partial.ids ?? []), ...wire.ids];
      this.partial = undefined;
      if (wire.more) {
        this.partial = wire;
        continue;
      }
      this.chain = this.chain
        .then(() => this.complete(wire))
        .then(
          (event) => this.deliver(event),
          (error: unknown) =>
            this.ctx.logger.warn('reading a queue event from its row failed; the event is dropped', { queue: this.queue, error: String(error) }),
        );
    }
  }

  // The public event: `queue` added, and a field sent without its value read from the row.
  private async complete(wire: Wire): Promise<QueueEvent> {
    const { more: _more, reread, ...rest } = wire;
    const event = { ...rest, queue: this.queue } as unknown as QueueEvent;
    if (!reread || wire.id === undefined || this.ctx.closed) return event;
    const [row] = await this.ctx.db.query<RereadRow>(this.sql.reread, [this.queue, wire.id]);
    const target = event as unknown as Record<string, unknown>;
    if (event.type === 'completed' && row?.state === 3 && row.result !== null) target.result = JSON.parse(row.result);
    if (event.type === 'progress') target.progress = row?.progress === null || row?.progress === undefined ? null : JSON.parse(row.progress);
    if (event.type === 'failed' || event.type === 'dead') target.error = row?.last_error ?? '';
    if (event.type === 'cancelled' && row?.cancel_reason !== null && row?.cancel_reason !== undefined) target.reason = row.cancel_reason;
    return event;
  }

  private deliver(event: QueueEvent): void {
    for (const entry of [...this.entries]) {
      if (event.type !== 'reconnected' && entry.types !== undefined && !entry.types.has(event.type)) continue;
      try {
        entry.listener(structuredClone(event));
      } catch (error) {
        this.ctx.logger.warn('a queue event listener threw', { queue: this.queue, type: event.type, error: String(error) });
      }
    }
  }
}
