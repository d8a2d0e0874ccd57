import { setClockTimeout, type Clock } from '../clock/index.js';
import type { Logger } from '../interfaces/logger.js';
import type { NodeRecord, RegistryEvent } from '../interfaces/registry.js';

/** A join or leave as a backend's channel carries it, with the joining node's TTL (ms; 0 if unknown). */
export interface GroupEventMessage {
  event: RegistryEvent;
  ttlMs: number;
}

/**
 * Where one group's events arrive: a Redis pub/sub channel, a PostgreSQL LISTEN channel. Events
 * are published by whichever process changed membership, so a drop of the connection loses those
 * published meanwhile; `onReconnect` is how the watch learns that it must catch up.
 */
export interface GroupEventSource {
  /**
   * Starts delivering the group's events to `handler` (undecodable messages are the source's to
   * drop); resolves once they flow, with the function that stops them.
   */
  listen(handler: (message: GroupEventMessage) => void): Promise<() => void>;
  /** Calls `fn` each time the source is back after a drop; returns the function that stops that. */
  onReconnect(fn: () => void): () => void;
}

/** The group as a full read sees it: live nodes (expired ones removed and announced by the read) and the shortest TTL among them (ms). */
export interface GroupSnapshot {
  nodes: NodeRecord[];
  shortestTtlMs: number;
}

/** What a GroupWatch needs of its backend. */
export interface GroupWatchContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly closed: boolean;
  onClose(fn: () => void): unknown;
}

/** Shortest pause between sweeps (ms). */
const MIN_SWEEP_MS = 50;
/** Full reads a catch-up makes at most while events keep arriving during them. */
const CATCH_UP_READS = 3;

/**
 * The watchers of one registry group in one backend, on any backend whose events arrive over a
 * channel. While anyone watches, a sweep reads the group every half of the shortest node TTL
 * known: the read removes nodes whose TTL ran out and the backend announces their `leave`, so a
 * node that died silently is announced once, by the read that removed it. The members known from
 * the latest full read and the events since are kept: when the source comes back after a drop,
 * the joins and leaves missed meanwhile are made up from a fresh read (a read that events overtook
 * is made again, so an event that arrived during it is not taken back).
 */
export class GroupWatch {
  private readonly listeners = new Set<(event: RegistryEvent) => void>();
  private stopListening: (() => void) | undefined;
  private cancelSweep: () => void = () => undefined;
  private cancelReconnect: () => void = () => undefined;
  private active = false;
  private knownTtlMs: number;
  private members = new Map<string, NodeRecord>();
  /** Grows with every event heard: a read during which it moved may miss what the event said. */
  private heard = 0;

  /**
   * @param sweep reads the whole group (removing and announcing expired nodes)
   * @param defaultTtlMs the group's TTL when no node says otherwise; sweeps never run less often than half of it
   */
  constructor(
    private readonly ctx: GroupWatchContext,
    private readonly source: GroupEventSource,
    private readonly sweep: () => Promise<GroupSnapshot>,
    private readonly defaultTtlMs: number,
    /** Names the group in log lines. */
    private readonly name: string,
  ) {
    this.knownTtlMs = defaultTtlMs;
    ctx.onClose(() => this.stop());
  }

  /** Adds a listener; returns the function that removes it (the last one stops the watch). */
  add(listener: (event: RegistryEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.active) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private start(): void {
    this.active = true;
    this.cancelReconnect = this.source.onReconnect(() => this.catchUp());
    this.source
      .listen((message) => this.onEvent(message))
      .then(
        (stop) => {
          if (this.active) this.stopListening = stop;
          else stop();
          // the members as of now, once events flow: later changes arrive as events
          return this.read(false);
        },
        (error: unknown) =>
          this.ctx.logger.warn('registry watch could not listen; it tries again after a reconnect', { group: this.name, error: String(error) }),
      )
      .catch((error: unknown) => this.ctx.logger.warn('registry watch could not read the group', { group: this.name, error: String(error) }));
    this.schedule(MIN_SWEEP_MS);
  }

  private stop(): void {
    this.active = false;
    this.cancelSweep();
    this.cancelReconnect();
    this.stopListening?.();
    this.stopListening = undefined;
  }

  private onEvent({ event, ttlMs }: GroupEventMessage): void {
    if (!this.active) return;
    this.heard++;
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

  // After missed events: what changed between the members known and a fresh read.
  private catchUp(): void {
    if (!this.active) return;
    this.read(true).catch((error: unknown) => this.ctx.logger.warn('registry watch could not catch up', { group: this.name, error: String(error) }));
  }

  private async read(announce: boolean): Promise<void> {
    let nodes: NodeRecord[];
    for (let reads = 1; ; reads++) {
      const heardBefore = this.heard;
      ({ nodes } = await this.sweep());
      if (!this.active) return;
      // an event heard during the read may be newer than the read: read again rather than undo it
      if (this.heard === heardBefore || reads === CATCH_UP_READS) break;
    }
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
        this.ctx.logger.warn('a registry watch listener threw', { group: this.name, error: String(error) });
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
          this.ctx.logger.warn('registry sweep failed; retrying', { group: this.name, error: String(error) });
          this.schedule(this.interval());
        },
      );
    });
  }
}
