import type { Redis } from 'ioredis';
import { setClockTimeout, type Clock, type Logger } from '@baton/core';
import { toBatonError } from './reply-codes.js';

type Handler = (message: string) => void;

/**
 * The backend's one pub/sub connection, shared by lock waiters and registry watchers. Channels
 * are reference-counted: SUBSCRIBE on the first listener, UNSUBSCRIBE after the last one left.
 * ioredis resubscribes by itself after a reconnect.
 */
export class Subscriptions {
  private client: Redis | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly lingering = new Map<string, () => void>();
  private readonly reconnected = new Map<string, Set<() => void>>();
  private connectedOnce = false;
  private closed = false;

  /** @param lingerMs how long a channel stays subscribed after its last listener left, so a waiter that loops does not resubscribe every time. */
  constructor(
    private readonly create: () => Redis,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly lingerMs = 2_000,
  ) {}

  /**
   * Calls `handler` for every message on `channel`; resolves once Redis confirmed the subscription.
   * Returns the function that removes the handler. Rejects with a BatonError (BackendUnavailableError
   * for a refused SUBSCRIBE) when Redis does not confirm it.
   */
  async subscribe(channel: string, handler: Handler): Promise<() => void> {
    this.lingering.get(channel)?.();
    this.lingering.delete(channel);
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      const client = this.connection();
      const subscribing = client.subscribe(channel).then(() => undefined);
      this.pending.set(channel, subscribing);
      subscribing.catch(() => undefined).finally(() => this.pending.delete(channel));
    }
    set.add(handler);
    const remove = (): void => {
      const current = this.handlers.get(channel);
      if (!current?.delete(handler) || current.size > 0 || this.closed) return;
      const cancel = setClockTimeout(this.clock, this.lingerMs, () => {
        this.lingering.delete(channel);
        if (this.closed || (this.handlers.get(channel)?.size ?? 0) > 0) return;
        this.handlers.delete(channel);
        this.client?.unsubscribe(channel).catch((error: unknown) => this.logger.debug('unsubscribe failed', { channel, error: String(error) }));
      });
      this.lingering.set(channel, cancel);
    };
    try {
      await this.pending.get(channel);
    } catch (error) {
      remove();
      const o = this.client?.options;
      throw toBatonError(error, `${o?.host ?? '127.0.0.1'}:${o?.port ?? 6379}`);
    }
    return remove;
  }

  /**
   * Calls `fn` each time the connection came back after a drop and `channel` is subscribed again
   * (messages published during the gap were lost). Returns the function that removes it.
   */
  onReconnect(channel: string, fn: () => void): () => void {
    let set = this.reconnected.get(channel);
    if (!set) this.reconnected.set(channel, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.reconnected.get(channel) === set) this.reconnected.delete(channel);
    };
  }

  /** Stops delivering messages; the connection itself is closed with the backend's connections. */
  close(): void {
    this.closed = true;
    for (const cancel of this.lingering.values()) cancel();
    this.lingering.clear();
    this.handlers.clear();
  }

  private connection(): Redis {
    if (!this.client) {
      const client = this.create();
      client.on('message', (channel: string, message: string) => {
        for (const handler of [...(this.handlers.get(channel) ?? [])]) {
          try {
            handler(message);
          } catch (error) {
            this.logger.warn('a pub/sub handler threw', { channel, error: String(error) });
          }
        }
      });
      // ioredis resubscribes by itself after a reconnect; subscribing again here (a no-op for Redis)
      // tells when it is done, so the listeners hear of the gap once they can hear again
      client.on('ready', () => {
        if (!this.connectedOnce) {
          this.connectedOnce = true;
          return;
        }
        for (const [channel, fns] of this.reconnected) {
          client
            .subscribe(channel)
            .then(() => {
              for (const fn of [...fns]) fn();
            })
            .catch((error: unknown) => this.logger.debug('resubscribe failed', { channel, error: String(error) }));
        }
      });
      this.client = client;
    }
    return this.client;
  }
}
