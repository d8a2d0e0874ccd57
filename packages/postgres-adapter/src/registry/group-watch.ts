import { setClockTimeout, type NodeRecord, type RegistryEvent } from '@baton/core';
import type { PgContext } from '../backend-context.js';
import { decodeEvent } from './node-row.js';

type Listener = (event: RegistryEvent) => void;

/** Shortest pause between sweeps (ms). */
const MIN_SWEEP_MS = 50;

/**
 * The watchers of one registry group in one backend. Join and leave events are NOTIFYed by the
 * statement that inserts, removes or reaps a node row, in whichever process ran it, and arrive on
 * the group's channel. While anyone watches, a sweep lists the group every half of the shortest
 * node TTL known: listing reaps the rows whose TTL ran out (by the database clock) and NOTIFYs
 * their `leave`, so a node that died silently is announced once, by the statement that reaped it.
 * The members known from the latest full read and the events since are kept, so that after the
 * LISTEN connection comes back the events missed meanwhile are made up from a fresh read.
 */
export class GroupWatch {
  private readonly listeners = new Set<Listener>();
  private removeHandler: (() => void) | undefined;
  private cancelSweep: () => void = () => undefined;
  private cancelReconnect: () => void = () => undefined;
  private active = false;
  private knownTtlMs: number;
  private members = new Map<string, NodeRecord>();

  constructor(
    private readonly ctx: PgContext,
    private readonly channel: string,
    /** Lists the group (reaping expired rows); resolves the live nodes and the shortest TTL among them (ms). */
    private readonly sweep: () => Promise<{ nodes: NodeRecord[]; shortestTtlMs: number }>,
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
    this.cancelReconnect = this.ctx.listener.onReconnect(() => this.catchUp());
    this.ctx.listener
      .listen(this.channel, (payload) => this.onNotification(payload))
      .then(
        (remove) => {
          if (this.active) this.removeHandler = remove;
          else remove();
          // the members as of now, once notifications flow: later changes arrive as events
          return this.read(false);
        },
        (error: unknown) => this.ctx.logger.warn('registry watch could not LISTEN; retrying', { channel: this.channel, error: String(error) }),
      )
      .catch((error: unknown) => this.ctx.logger.warn('registry watch could not read the group', { channel: this.channel, error: String(error) }));
    this.schedule(MIN_SWEEP_MS);
  }

  private stop(): void {
    this.active = false;
    this.cancelSweep();
    this.cancelReconnect();
    this.removeHandler?.();
    this.removeHandler = undefined;
  }

  private onNotification(payload: string): void {
    const decoded = decodeEvent(payload);
    if (!decoded || !this.active) return;
    const { event, ttlMs } = decoded;
    if (event.type === 'join') {
      this.members.set(event.node.id, event.node);
      if (ttlMs > 0 && ttlMs < this.knownTtlMs) {
        this.knownTtlMs = ttlMs;
        this.cancelSweep();
        this.schedule(this.interval());
      }
    } else {
      this.members.delete(event.node.id);
    }
    this.emit(event);
  }

  // After missed notifications: what changed between the members known and a fresh read.
  private catchUp(): void {
    if (!this.active) return;
    this.read(true).catch((error: unknown) => this.ctx.logger.warn('registry watch could not catch up', { channel: this.channel, error: String(error) }));
  }

  private async read(announce: boolean): Promise<void> {
    const { nodes } = await this.sweep();
    if (!this.active) return;
    const fresh = new Map(nodes.map((n) => [n.id, n]));
    if (announce) {
      for (const [id, node] of this.members) if (!fresh.has(id)) this.emit({ type: 'leave', node });
      for (const [id, node] of fresh) if (!this.members.has(id)) this.emit({ type: 'join', node });
    }
    this.members = fresh;
  }

  private emit(event: RegistryEvent): void {
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
        ({ shortestTtlMs }) => {
          this.knownTtlMs = Math.min(shortestTtlMs, this.defaultTtlMs);
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
