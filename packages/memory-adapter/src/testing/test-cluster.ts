import {
  ClosedError,
  InvalidArgumentError,
  ManualClock,
  SCHEDULER_DEFAULTS,
  Scheduler,
  silentLogger,
  type AdvanceUntilOptions,
  type ClockCondition,
  type Logger,
  type Queue,
  type QueueOptions,
  type SchedulerOptions,
} from '@baton/core';
import { assertOptionsObject } from '@baton/core/adapter';
import { MemoryBackend } from '../memory-backend.js';
import { MemoryStore } from '../memory-store.js';

/** One node of a TestCluster: a Scheduler on a MemoryBackend of its own, on the cluster's store. */
export interface TestNode {
  /** The node id (its scheduler's nodeId). */
  readonly id: string;
  readonly scheduler: Scheduler;
  /** This node's backend; closed when the node crashes or the cluster closes. */
  readonly backend: MemoryBackend;
  /** True once `crash` or `close` ended this node. */
  readonly down: boolean;
}

/** Options of `testCluster`. */
export interface TestClusterOptions {
  /** How many nodes (ids `node-1`, `node-2`, …), or the options of each node. @default 3 */
  nodes?: number | SchedulerOptions[];
  /** The clock of every node and of the store. @default new ManualClock() */
  clock?: ManualClock;
  /** The shared state. @default a new MemoryStore */
  store?: MemoryStore;
  /** Options every node gets (a node's own options win). @default the Scheduler's defaults */
  scheduler?: SchedulerOptions;
  /**
   * Called with each node before it starts, also for nodes added or restarted later: register
   * its handlers, periodic jobs and listeners here.
   */
  setup?: (node: TestNode) => void;
  /** Backoff jitter of every backend, a number in [0, 1). @default () => 0.5 (repeatable runs) */
  random?: () => number;
  /** Where the backends and schedulers log. @default silentLogger */
  logger?: Logger;
}

/** A Scheduler the cluster can kill: `halt` is how a node ends without a word, as on SIGKILL. */
class NodeScheduler extends Scheduler {
  kill(): void {
    this.halt(new ClosedError(`Node "${this.nodeId}" (crashed)`));
  }
}

class Node implements TestNode {
  down = false;
  constructor(
    readonly scheduler: NodeScheduler,
    readonly backend: MemoryBackend,
    /** How long its `stop()` lets tasks finish (ms). */
    readonly stopTimeoutMs: number,
  ) {}

  get id(): string {
    return this.scheduler.nodeId;
  }
}

/**
 * Several Baton nodes in one process for application tests: each node is a Scheduler on its own
 * MemoryBackend, all on one MemoryStore and one ManualClock, so a test can run a cluster, let
 * hours of its time pass in milliseconds, crash a node the way SIGKILL would and watch the others
 * take over, with the same result on every run. The parts stay reachable (clock, store, nodes,
 * backends) so that other tools, such as a simulator, can drive a cluster step by step.
 */
export class TestCluster {
  /** The clock every node and the store run on. */
  readonly clock: ManualClock;
  /** The state the nodes share, as nodes of one deployment share one Redis. */
  readonly store: MemoryStore;
  /**
   * A backend on the same store that is no node (it runs no scheduler): for producers, checks and
   * the locks of the code under test. Closed by `close()`.
   */
  readonly client: MemoryBackend;
  private readonly all: Node[] = [];
  private readonly defaults: SchedulerOptions;
  private readonly setup: ((node: TestNode) => void) | undefined;
  private readonly random: () => number;
  private readonly logger: Logger;
  private started = false;
  private closed = false;
  private counter = 0;

  /** See TestClusterOptions; throws InvalidArgumentError for bad options. */
  constructor(options: TestClusterOptions = {}) {
    assertOptionsObject('options', options);
    const nodes = options.nodes ?? 3;
    if (!(Array.isArray(nodes) || (Number.isInteger(nodes) && nodes >= 0))) {
      throw new InvalidArgumentError('options.nodes', 'must be an integer >= 0 or an array of scheduler options');
    }
    if (options.setup !== undefined && typeof options.setup !== 'function') throw new InvalidArgumentError('options.setup', 'must be a function');
    this.clock = options.clock ?? new ManualClock();
    this.store = options.store ?? new MemoryStore();
    this.defaults = options.scheduler ?? {};
    this.setup = options.setup;
    this.random = options.random ?? (() => 0.5);
    this.logger = options.logger ?? silentLogger;
    this.client = this.newBackend();
    const list = Array.isArray(nodes) ? nodes : Array.from({ length: nodes }, () => ({}));
    for (const own of list) this.createNode(own);
  }

  /** Every node ever added, in order, including nodes that are down. */
  get nodes(): readonly TestNode[] {
    return this.all;
  }

  /** The nodes that are not down. */
  live(): TestNode[] {
    return this.up();
  }

  /** The node with this id (the latest one, after a restart); throws InvalidArgumentError if none. */
  node(id: string): TestNode {
    const node = this.all.findLast((n) => n.id === id);
    if (!node) throw new InvalidArgumentError('id', `no node "${id}" in this cluster`);
    return node;
  }

  /** A handle on queue `name` through the client backend (see `client`). */
  queue<T = unknown>(name: string, options?: QueueOptions): Queue<T> {
    return this.client.queue<T>(name, options);
  }

  /**
   * Adds a node (id `node-<n>` unless `options.nodeId` says otherwise), runs `setup` on it, and
   * starts it if the cluster has been started.
   */
  async addNode(options: SchedulerOptions = {}): Promise<TestNode> {
    this.assertOpen();
    const node = this.createNode(options);
    if (this.started) await node.scheduler.start();
    return node;
  }

  /** Starts every node that is not running yet (registering it, its workers and jobs). */
  async start(): Promise<void> {
    this.assertOpen();
    this.started = true;
    await Promise.all(this.up().map((n) => n.scheduler.start()));
  }

  /**
   * Ends `node` the way SIGKILL ends a process: nothing is handed back or deregistered. Its
   * backend is closed, so its timers stop (heartbeats, lease extensions, ticks), its blocked
   * calls end, its handlers' `ctx.signal` aborts (ClosedError) and nothing they do afterwards is
   * recorded; it emits no event. What it held expires by the TTLs, as on
   * Redis: its leases run out and other nodes' stalled-task recovery puts the tasks back, it
   * leaves the registry after its node TTL, its locks and leadership after their TTLs.
   */
  async crash(node: TestNode): Promise<void> {
    const target = this.own(node);
    if (target.down) return;
    target.down = true;
    target.scheduler.kill();
    await target.backend.close();
  }

  /** Crashes `node` if it is up, then adds a node with the same id (and options) in its place. */
  async restart(node: TestNode, options: SchedulerOptions = {}): Promise<TestNode> {
    const target = this.own(node);
    await this.crash(target);
    return this.addNode({ ...options, nodeId: target.id });
  }

  /** Moves the clock by `ms` (see ManualClock.advance). */
  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** Lets time run until `condition` holds (see ManualClock.advanceUntil; throws ConditionTimeoutError naming `what`). */
  advanceUntil(condition: ClockCondition, options?: AdvanceUntilOptions): Promise<void> {
    return this.clock.advanceUntil(condition, options);
  }

  /** Fires what is due now (see ManualClock.runPending). */
  runPending(): Promise<number> {
    return this.clock.runPending();
  }

  /**
   * Stops every live node gracefully (`scheduler.stop()`, letting the clock run while tasks still
   * in flight finish or time out), then closes every backend. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const live = this.up();
    let stopped = 0;
    const stopping = Promise.allSettled(live.map((n) => n.scheduler.stop().finally(() => stopped++)));
    const longest = Math.max(0, ...live.map((n) => n.stopTimeoutMs));
    await this.clock.advanceUntil(() => stopped === live.length, { maxMs: longest + 60_000, what: 'every node to stop' });
    await stopping;
    for (const node of live) node.down = true;
    await Promise.all([...this.all.map((n) => n.backend.close()), this.client.close()]);
  }

  private createNode(options: SchedulerOptions): Node {
    assertOptionsObject('options', options);
    const settings = { ...this.defaults, ...options, nodeId: options.nodeId ?? `node-${++this.counter}` };
    const backend = this.newBackend();
    const node = new Node(new NodeScheduler(backend, this.clock, this.logger, settings), backend, settings.stopTimeoutMs ?? SCHEDULER_DEFAULTS.stopTimeoutMs);
    this.all.push(node);
    this.setup?.(node);
    return node;
  }

  private newBackend(): MemoryBackend {
    return new MemoryBackend({ clock: this.clock, store: this.store, random: this.random, logger: this.logger });
  }

  private up(): Node[] {
    return this.all.filter((n) => !n.down);
  }

  private own(node: TestNode): Node {
    const target = this.all.find((n) => n === node);
    if (!target) throw new InvalidArgumentError('node', 'is not a node of this cluster');
    return target;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('Test cluster');
  }
}

/**
 * A TestCluster of `nodes` schedulers on one shared memory store and one ManualClock, not started
 * yet: register handlers in `setup` (or on `cluster.nodes`), then `await cluster.start()`.
 */
export function testCluster(options: TestClusterOptions = {}): TestCluster {
  return new TestCluster(options);
}
