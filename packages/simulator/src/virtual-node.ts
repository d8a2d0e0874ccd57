import {
  ClosedError,
  Scheduler,
  silentLogger,
  type Election,
  type HandleOptions,
  type LockManager,
  type ManualClock,
  type SchedulerOptions,
  type TaskHandler,
} from '@baton/core';
import { MemoryBackend, type MemoryStore } from '@baton/memory-adapter';
import { CallGate } from './call-gate.js';
import type { FencedResource } from './fenced-resource.js';
import type { Attempt, History } from './history.js';
import { NodeClock } from './node-clock.js';
import type { Prng } from './prng.js';
import type { Trace } from './trace.js';

/** A lock held through `SimNode.withLock`. */
export interface HeldLock {
  readonly fence: number;
  /** Names this holding (node, life, count) for a FencedResource. */
  readonly holder: string;
  /** Aborts when the lock is lost. */
  readonly signal: AbortSignal;
}

/** One life of a virtual node, as a workload sees it when registering its handlers. */
export interface SimNode {
  readonly id: string;
  /** 0 for the first life, +1 at each restart after a crash. */
  readonly incarnation: number;
  /** The node's real Scheduler (on its own MemoryBackend, on the shared store). */
  readonly scheduler: Scheduler;
  /** The node's backend: its store calls go through the simulated faults. */
  readonly backend: MemoryBackend;
  /** This node's clock: pass it to code that waits, so a pause freezes it. */
  readonly clock: NodeClock;
  /** This life's own random stream. */
  readonly rng: Prng;
  /** `scheduler.handle`, with each attempt recorded for the invariants (visibility timeout defaults to the run's ttlMs). */
  handle<T>(queue: string, handler: TaskHandler<T>, options?: HandleOptions): void;
  /** Waits `ms` of this node's time (frozen while it is paused, forever once it died). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` holding lock `resource` (auto-extended), recording its fence; releases it after. */
  withLock<R>(resource: string, fn: (lock: HeldLock) => Promise<R>, options?: { ttlMs?: number; waitMs?: number }): Promise<R>;
  /** Campaigns for leadership of `name`; the simulator watches its terms. */
  elect(name: string): Election;
  /** The run's fenced resource `name` (shared by every node). */
  resource(name: string): FencedResource;
}

/** What every node of a run shares. */
export interface NodeWorld {
  readonly clock: ManualClock;
  readonly store: MemoryStore;
  readonly history: History;
  readonly trace: Trace;
  readonly ttlMs: number;
  readonly scheduler: SchedulerOptions;
  resource(name: string): FencedResource;
}

/** A Scheduler the simulator can kill: `halt` ends it as SIGKILL would. */
class SimScheduler extends Scheduler {
  kill(): void {
    this.halt(new ClosedError(`Node "${this.nodeId}" (crashed)`));
  }
}

/** One life of a node: a real Scheduler on its own MemoryBackend, its own clock and call gate. */
export class VirtualNode implements SimNode {
  readonly clock: NodeClock;
  readonly gate: CallGate;
  readonly backend: MemoryBackend;
  readonly scheduler: SimScheduler;
  /** Elections this life campaigns in, by name. */
  readonly elections = new Map<string, Election>();
  /** True once crashed. */
  down = false;
  private locks: LockManager | undefined;
  private lockCount = 0;

  constructor(
    readonly id: string,
    readonly incarnation: number,
    readonly rng: Prng,
    private readonly world: NodeWorld,
  ) {
    this.clock = new NodeClock(world.clock);
    this.gate = new CallGate(id, this.clock, (line) => world.trace.add(line));
    const random = rng.fork('backend');
    this.backend = new MemoryBackend({ clock: this.clock, store: world.store, random: () => random.next(), logger: silentLogger, wrapStore: this.gate.wrap });
    this.scheduler = new SimScheduler(this.backend, this.clock, silentLogger, { ...world.scheduler, nodeId: id });
    this.listen();
  }

  handle<T>(queue: string, handler: TaskHandler<T>, options: HandleOptions = {}): void {
    const { history, trace } = this.world;
    const wrapped: TaskHandler<T> = async (task, ctx) => {
      const attempt: Attempt = { task: task.id, queue, attempt: task.attempt, node: this.id, incarnation: this.incarnation, startedAt: this.clock.now() };
      history.started(attempt);
      trace.add(`${this.id} runs ${task.id} (attempt ${task.attempt})`);
      try {
        const result = await handler(task, ctx);
        if (!this.down) {
          history.succeeded(attempt);
          trace.add(`${this.id} handler ok ${task.id} (attempt ${task.attempt})`);
        }
        return result;
      } catch (error) {
        attempt.outcome = 'threw';
        if (!this.down) trace.add(`${this.id} handler threw ${task.id} (attempt ${task.attempt}): ${message(error)}`);
        throw error;
      }
    };
    const queueOptions = { visibilityTimeoutMs: this.world.ttlMs, ...options.queue };
    this.scheduler.handle(queue, wrapped, { ...options, queue: queueOptions });
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.clock.sleep(ms, signal);
  }

  async withLock<R>(resource: string, fn: (lock: HeldLock) => Promise<R>, options: { ttlMs?: number; waitMs?: number } = {}): Promise<R> {
    this.locks ??= this.backend.locks();
    const handle = await this.locks.acquire(resource, {
      ttlMs: options.ttlMs ?? this.world.ttlMs,
      waitMs: options.waitMs ?? this.world.ttlMs,
      autoExtend: true,
    });
    const holder = `${this.id}/${this.incarnation}/${++this.lockCount}`;
    this.world.history.fenceGranted(resource, handle.fence, holder);
    this.world.trace.add(`${holder} holds ${resource} (fence ${handle.fence})`);
    try {
      return await fn({ fence: handle.fence, holder, signal: handle.signal });
    } finally {
      await handle.release().catch(() => undefined);
    }
  }

  elect(name: string): Election {
    const election = this.scheduler.elect(name, { ttlMs: this.world.ttlMs });
    this.elections.set(name, election);
    return election;
  }

  resource(name: string): FencedResource {
    return this.world.resource(name);
  }

  /** Records who leads each election now, as this node sees it (not while paused or down). */
  observeLeadership(): void {
    if (this.down || this.clock.isPaused) return;
    for (const [name, election] of this.elections) {
      const fence = election.fence;
      if (election.isLeader && fence !== null) this.world.history.leading(name, fence, this.id);
    }
  }

  /** Ends this life as SIGKILL would: nothing handed back, nothing more it awaits ever resumes. */
  async crash(): Promise<void> {
    if (this.down) return;
    this.down = true;
    this.clock.kill();
    this.scheduler.kill();
    await this.backend.close();
  }

  private listen(): void {
    const { history, trace } = this.world;
    const s = this.scheduler;
    s.on('completed', (task) => {
      if (this.down) return;
      trace.add(`${this.id} completed ${task.id} (attempt ${task.attempt})`);
      history.completed(task.id, this.id, task.attempt);
    });
    s.on('failed', (task, error, info) => trace.add(`${this.id} failed ${task.id} (attempt ${task.attempt}, ${info.outcome}): ${message(error)}`));
    s.on('lost', (task) => trace.add(`${this.id} lost ${task.id} (attempt ${task.attempt})`));
    s.on('stalled', (count, info) => trace.add(`${this.id} recovered ${count} stalled task(s) of ${info.queue}`));
    s.on('error', (error, context) => trace.add(`${this.id} error during ${String(context.during ?? '?')}: ${message(error)}`));
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
