import { setClockTimeout, type QueueEvent, type QueueEventType } from '@baton/core';
import type { QueueSubscription } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import { watchEvents } from './queue-scripts.js';

/** Pause between attempts to subscribe while Redis refuses or cannot be reached (ms). */
const RETRY_MS = 1_000;
/** How long a registration for the frequent event types lasts (ms); renewed every third of it. */
const REGISTER_MS = 60_000;
/** The events the scripts publish only while someone is registered for them (see watchEvents.lua). */
const GATED: readonly QueueEventType[] = ['enqueued', 'active', 'completed'];

/** Where one queue (or shard) publishes its events, and where watchers register for them. */
export interface EventSource {
  /** The pub/sub channel of its events. */
  channel: string;
  /** Its watching hash key. */
  watching: string;
}

/**
 * QueueStore.watch over Redis pub/sub: the scripts publish each step's events as one JSON array on
 * the queue's events channel (one per shard); this subscribes to `channels` on the backend's shared
 * subscriber connection (one server subscription per channel, shared by every watcher in the
 * process) and hands each listener its own parsed copy of the events of `types` plus
 * `reconnected`, sent after the connection dropped and the channel was subscribed again (the
 * events of the gap are lost: pub/sub keeps nothing). The frequent types (enqueued, active,
 * completed) are published only while a watcher is registered for them: a subscription registers
 * the ones it wants on every source once subscribed, and renews them until closed. A failure to
 * subscribe is logged and retried until the subscription is closed; `ready` waits for both.
 */
export function watchQueueEvents(
  ctx: BackendContext,
  queue: string,
  sources: readonly EventSource[],
  listener: (event: QueueEvent) => void,
  types: ReadonlySet<QueueEventType> | undefined,
): QueueSubscription {
  let closed = false;
  const cleanups: Array<() => void> = [];
  const gated = GATED.filter((type) => types === undefined || types.has(type));
  let cancelRenewal = (): void => undefined;
  const deliver = (message: string): void => {
    if (closed) return;
    let events: Array<Omit<QueueEvent, 'queue'>>;
    try {
      events = JSON.parse(message) as Array<Omit<QueueEvent, 'queue'>>;
    } catch (error) {
      ctx.logger.warn('a queue event message is not JSON; skipped', { queue, error: String(error) });
      return;
    }
    for (const event of events) {
      if (closed) return;
      if (types === undefined || types.has(event.type)) listener({ ...event, queue } as QueueEvent);
    }
  };
  const reconnected = (): void => {
    if (!closed) listener({ type: 'reconnected', queue, at: ctx.clock.now() });
  };
  const subscribe = async (channel: string): Promise<void> => {
    for (;;) {
      if (closed || ctx.closed) return;
      try {
        const remove = await ctx.subscriptions.subscribe(channel, deliver);
        const offReconnect = ctx.subscriptions.onReconnect(channel, reconnected);
        if (closed) {
          remove();
          offReconnect();
        } else cleanups.push(remove, offReconnect);
        return;
      } catch (error) {
        ctx.logger.warn('could not subscribe to queue events; retrying', { queue, channel, error: String(error) });
        await ctx.clock.sleep(RETRY_MS).catch(() => undefined);
      }
    }
  };
  // Registered after subscribing, so every step that sees the registration is heard; renewed
  // until closed. A failed renewal is retried at the next one (the registration outlasts two).
  const register = async (): Promise<void> => {
    if (closed || ctx.closed || gated.length === 0) return;
    await Promise.all(
      sources.map((source) =>
        ctx.runner
          .run(watchEvents, { watching: source.watching }, { forMs: REGISTER_MS }, gated)
          .catch((error: unknown) => ctx.logger.warn('could not register for queue events; retrying', { queue, error: String(error) })),
      ),
    );
    if (closed || ctx.closed) return;
    cancelRenewal = setClockTimeout(ctx.clock, REGISTER_MS / 3, () => void register());
  };
  const ready = Promise.all(sources.map((source) => subscribe(source.channel))).then(register);
  cleanups.push(ctx.onClose(() => closeAll()));
  const closeAll = (): void => {
    if (closed) return;
    closed = true;
    cancelRenewal();
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
  return {
    ready,
    close: closeAll,
  };
}
