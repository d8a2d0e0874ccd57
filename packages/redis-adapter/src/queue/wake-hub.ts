import { ClockTimers, type SharedTimer } from '@baton/core';
import { newToken } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import type { QueueKeys } from '../key-layout.js';
import type { PreparedCall } from '../script-runner.js';
import { findReadyQueues } from './queue-scripts.js';

/** How often (ms) the safety net looks for ready work that waiting workers were not told of. */
export const DEFAULT_WAKE_SWEEP_MS = 2_000;
/**
 * Longest idle registration (ms) on a Redis Cluster. There a PUBLISH counts the receivers of one
 * node only, so an enqueue cannot tell a delivery nobody heard; registrations are renewed this
 * often instead, which bounds how long a process that died keeps being delivered to.
 */
const CLUSTER_REGISTRATION_MS = 30_000;
/** Most queues one findReadyQueues call checks. */
const SWEEP_CHUNK = 1_000;

/** What the hub wakes: the waiter of one queue (or shard) in this backend. */
export interface WakeTarget {
  readonly keys: QueueKeys;
  /** True while some lease call of this backend waits on the queue. */
  readonly waiting: boolean;
  /** A delivery for this queue arrived on the wake channel. */
  receive(delivery: string): void;
  /** Work may be ready: every local wait ends and looks again with a lease call (one under way looks again too). */
  wake(): void;
}

/**
 * The waiting of every queue of one backend, on one connection: the backend's wake channel
 * (`<prefix>:waiters:<random id>`, on the shared subscriber connection) carries the deliveries
 * that enqueues make to this process's waiting workers, the due timers and wait deadlines of all
 * queues share one clock timer (`timers`), and one safety-net call every `sweepMs` while any
 * worker waits finds queues with ready work whose wake-up was lost (a raw LPUSH by another client,
 * a message dropped with the connection). After the subscriber connection comes back, every
 * waiting queue looks again at once. Nothing is sent while no worker waits; a waiting queue costs
 * Redis nothing between events (see PROTOCOL.md, Waiting).
 */
export class WakeHub {
  /** The channel deliveries to this backend are published on; idle registrations name it. */
  readonly channel: string;
  /** The timers of every wait and due time of this backend's queues, on one clock timer. */
  readonly timers: ClockTimers;
  private readonly targets = new Map<string, WakeTarget>();
  private subscribing: Promise<void> | undefined;
  private listening = false;
  private sweepTimer: SharedTimer | undefined;
  private readonly cleanups: Array<() => void> = [];
  /** The safety net's calls for the waiting targets of the last sweep, kept while they stay the same. */
  private asked: { targets: WakeTarget[]; calls: Array<PreparedCall<number[]>> } | undefined;

  constructor(
    private readonly ctx: BackendContext,
    private readonly sweepMs: number,
  ) {
    this.channel = `${ctx.keys.prefix}:waiters:${newToken()}`;
    this.timers = new ClockTimers(ctx.clock);
    ctx.onClose(() => {
      this.timers.clear();
      this.sweepTimer = undefined;
      for (const cleanup of this.cleanups.splice(0)) cleanup();
    });
  }

  /** True once the wake channel is subscribed: only then may a lease call register for deliveries. */
  get listens(): boolean {
    return this.listening;
  }

  /**
   * How long (ms) one idle registration may last: as long as the wait on one server (a delivery
   * nobody hears is taken back there), CLUSTER_REGISTRATION_MS on a Cluster.
   */
  get registrationLimitMs(): number {
    return this.ctx.connections.cluster ? CLUSTER_REGISTRATION_MS : Infinity;
  }

  /** Adds the waiter of one queue (or shard); messages for its wait key go to it. */
  add(target: WakeTarget): void {
    this.targets.set(target.keys.wait, target);
  }

  /**
   * Subscribes the wake channel the first time (resolves once Redis confirmed it, at once after).
   * Rejects with the subscription's BatonError; the next call tries again. Once subscribed, every
   * waiting queue looks again, so its next lease call registers for deliveries.
   */
  listen(): Promise<void> {
    if (this.listening) return Promise.resolve();
    this.subscribing ??= this.ctx.subscriptions
      .subscribe(this.channel, (message) => this.onMessage(message))
      .then(
        (remove) => {
          this.subscribing = undefined;
          if (this.ctx.closed) return remove();
          this.listening = true;
          this.cleanups.push(
            remove,
            this.ctx.subscriptions.onReconnect(this.channel, () => this.wakeAll()),
          );
          this.wakeAll();
        },
        (error: unknown) => {
          this.subscribing = undefined;
          throw error;
        },
      );
    return this.subscribing;
  }

  /** A waiter started to wait: the safety net runs every sweepMs from now on while any waits. */
  waiting(): void {
    if (this.sweepTimer || this.ctx.closed) return;
    this.sweepTimer = this.timers.after(this.sweepMs, () => {
      this.sweepTimer = undefined;
      void this.sweep();
    });
  }

  // Every target, waiting or not: one whose lease call is under way sees its epoch move and looks
  // again instead of starting a wait the news came too early for (see QueueWaiter.epoch).
  private wakeAll(): void {
    for (const target of this.targets.values()) target.wake();
  }

  // "<wait key>\n<delivery>" (enqueueTasks.lua deliver); a delivery is JSON, so it holds no raw newline.
  private onMessage(message: string): void {
    const cut = message.lastIndexOf('\n');
    const target = cut < 0 ? undefined : this.targets.get(message.slice(0, cut));
    if (target) target.receive(message.slice(cut + 1));
    else this.ctx.logger.debug('a delivery for a queue this backend does not wait on; its lease expires and is recovered', { channel: this.channel });
  }

  private async sweep(): Promise<void> {
    const targets: WakeTarget[] = [];
    for (const target of this.targets.values()) if (target.waiting) targets.push(target);
    if (targets.length === 0 || this.ctx.closed) return;
    try {
      for (const target of await this.findReady(targets)) if (target.waiting) target.wake();
    } catch (error) {
      if (!this.ctx.closed) this.ctx.logger.debug('the waiting safety net could not look for ready work; it tries again', { error: String(error) });
    } finally {
      for (const target of this.targets.values()) {
        if (target.waiting) {
          this.waiting();
          break;
        }
      }
    }
  }

  // One script call per SWEEP_CHUNK queues on one server; one EXISTS per queue on a Cluster. While
  // the same queues wait (an idle process), the calls of the last sweep are sent again as written.
  private async findReady(targets: WakeTarget[]): Promise<WakeTarget[]> {
    if (this.ctx.connections.cluster) {
      const found = await Promise.all(
        targets.map(async (t) =>
          (await this.ctx.runner.call((client) => client.exists(t.keys.wait, t.keys.claimed, t.keys.prioritized))) > 0 ? t : undefined,
        ),
      );
      return found.filter((t) => t !== undefined);
    }
    if (!sameTargets(this.asked?.targets, targets)) {
      const calls: Array<PreparedCall<number[]>> = [];
      for (let i = 0; i < targets.length; i += SWEEP_CHUNK) {
        const keys: string[] = [];
        for (const t of targets.slice(i, i + SWEEP_CHUNK)) keys.push(t.keys.wait, t.keys.claimed, t.keys.prioritized);
        calls.push(this.ctx.runner.prepare(findReadyQueues, {}, {}, keys));
      }
      this.asked = { targets, calls };
    }
    const ready: WakeTarget[] = [];
    const { calls } = this.asked!;
    for (let c = 0; c < calls.length; c++) {
      for (const n of await calls[c]!.run()) ready.push(targets[c * SWEEP_CHUNK + n - 1]!);
    }
    return ready;
  }
}

// Whether two lists hold the same targets in the same order.
function sameTargets(a: readonly WakeTarget[] | undefined, b: readonly WakeTarget[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
