import { setClockTimeout, type RegistryEvent } from '@baton/core';
import type { BackendContext } from '../backend-context.js';
import { decodeEvent } from './node-record.js';

type Listener = (event: RegistryEvent) => void;

/** Shortest pause between sweeps (ms). */
const MIN_SWEEP_MS = 50;

/**
 * The watchers of one registry group in one backend. Join and leave events arrive on the group's
 * pub/sub channel, published by the scripts of whichever process changed membership. While
 * anyone watches, a sweep lists the group every half of the shortest node TTL (on the clock):
 * listing removes members whose key expired and publishes their `leave`, so a node that died
 * silently is announced once, by the sweep that removed it.
 */
export class GroupWatch {
  private readonly listeners = new Set<Listener>();
  private unsubscribe: (() => void) | undefined;
  private cancelSweep: () => void = () => undefined;
  private active = false;
  /** Shortest node TTL known in the group (ms); sweeps run every half of it. */
  private knownTtlMs: number;

  constructor(
    private readonly ctx: BackendContext,
    private readonly channel: string,
    /** Lists the group (removing expired members); resolves the shortest TTL seen (ms). */
    private readonly sweep: () => Promise<number>,
    private readonly defaultTtlMs: number,
  ) {
    this.knownTtlMs = defaultTtlMs;
    ctx.onClose(() => this.stop());
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.active) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private start(): void {
    this.active = true;
    this.ctx.subscriptions
      .subscribe(this.channel, (message) => this.emit(message))
      .then((unsubscribe) => {
        if (this.active) this.unsubscribe = unsubscribe;
        else unsubscribe();
      })
      .catch((error: unknown) => this.ctx.logger.warn('registry watch could not subscribe', { channel: this.channel, error: String(error) }));
    // sweep soon once, to learn the TTLs of the nodes already there
    this.schedule(MIN_SWEEP_MS);
  }

  private stop(): void {
    this.active = false;
    this.cancelSweep();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private emit(message: string): void {
    const decoded = decodeEvent(message);
    if (!decoded) return;
    const { event, ttlMs } = decoded;
    if (event.type === 'join' && ttlMs > 0 && ttlMs < this.knownTtlMs) {
      this.knownTtlMs = ttlMs;
      this.cancelSweep();
      this.schedule(this.interval());
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.ctx.logger.warn('a registry watch listener threw', { error: String(error) });
      }
    }
  }

  private interval(): number {
    return Math.max(MIN_SWEEP_MS, Math.floor(this.knownTtlMs / 2));
  }

  private schedule(ms: number): void {
    if (!this.active || this.ctx.closed) return;
    this.cancelSweep = setClockTimeout(this.ctx.clock, ms, () => {
      this.sweep().then(
        (shortestTtl) => {
          this.knownTtlMs = Math.min(shortestTtl, this.defaultTtlMs);
          this.schedule(this.interval());
        },
        (error: unknown) => {
          this.ctx.logger.warn('registry sweep failed; retrying', { channel: this.channel, error: String(error) });
          this.schedule(this.interval());
        },
      );
    });
  }
}
