import {
  instrument,
  InvalidArgumentError,
  isBatonError,
  SystemClock,
  type Backend,
  type Clock,
  type Election,
  type Queue,
  type Scheduler,
  type Task,
  type TaskEventInfo,
} from '@baton/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LOCK_WAIT_SECONDS_BUCKETS, TASK_SECONDS_BUCKETS } from './buckets.js';

/** Options of `new BatonMetrics()`. */
export interface BatonMetricsOptions {
  /** The prom-client registry the metrics go on (e.g. prom-client's global `register`). @default a new Registry */
  registry?: Registry;
  /** The backend whose queue depths and node counts are read at each scrape. @default none (no depth or node gauges) */
  backend?: Backend;
  /**
   * Queues whose tasks are counted by state at each scrape (with `backend`). @default every queue
   * the backend knows (`backend.queues()`), where it can tell; else none
   */
  queues?: readonly string[];
  /** Registry groups whose live nodes are counted at each scrape (with `backend`). @default none */
  groups?: readonly string[];
  /** The clock against which the first waiting task's age is read: the backend's. @default new SystemClock() */
  clock?: Clock;
}

/** The depth states read from `queue.stats()`. */
const DEPTH_STATES = ['waiting', 'active', 'delayed', 'dead'] as const;

type Outcome = 'completed' | 'failed' | 'dead' | 'cancelled';

/**
 * Baton's Prometheus metrics, on prom-client. Counters and histograms count what this process did
 * (the tasks it enqueued, the handler runs of the Schedulers given to `observeScheduler`, its lock
 * waits): sum them over your instances. The gauges read the backend at each scrape and show the
 * whole deployment, the same value from every process that reads them: aggregate them with `max`.
 *
 * Metric names follow Prometheus conventions: `baton_` prefix, base units (seconds), `_total`
 * only on counters. Create one per process; `close()` removes its hooks.
 */
export class BatonMetrics {
  /** The registry holding the metrics (serve `await registry.metrics()` with `registry.contentType`). */
  readonly registry: Registry;
  private readonly enqueued: Counter<'queue'>;
  private readonly outcomes: Record<Outcome, Counter<'queue'>>;
  private readonly waitTime: Histogram<'queue'>;
  private readonly runTime: Histogram<'queue' | 'outcome'>;
  private readonly lockWait: Histogram<'kind' | 'outcome'>;
  private readonly collectErrors: Counter<'source'>;
  private readonly elections = new Set<Election>();
  /** The backend reads of the scrape under way. */
  private readonly reading = new Set<Promise<void>>();
  private readonly detach: Array<() => void> = [];
  private readonly clock: Clock;

  constructor(private readonly options: BatonMetricsOptions = {}) {
    if (options.queues !== undefined && !Array.isArray(options.queues)) throw new InvalidArgumentError('options.queues', 'must be an array of queue names');
    if (options.groups !== undefined && !Array.isArray(options.groups)) throw new InvalidArgumentError('options.groups', 'must be an array of group names');
    if ((options.queues !== undefined || options.groups !== undefined) && options.backend === undefined) {
      throw new InvalidArgumentError('options.backend', 'is needed to read the depth of options.queues or the nodes of options.groups');
    }
    this.clock = options.clock ?? new SystemClock();
    const registers = [(this.registry = options.registry ?? new Registry())];
    const counter = (name: string, help: string): Counter<'queue'> => new Counter({ name, help, labelNames: ['queue'], registers });
    this.enqueued = counter('baton_tasks_enqueued_total', 'Tasks stored by enqueue calls of this process (duplicates and finished ids not counted).');
    this.outcomes = {
      completed: counter('baton_tasks_completed_total', 'Tasks completed by the handlers of this process.'),
      failed: counter('baton_tasks_failed_total', 'Attempts that failed in the handlers of this process (retried or dead).'),
      dead: counter('baton_tasks_dead_total', 'Tasks that went to the dead letters after failing in this process.'),
      cancelled: counter('baton_tasks_cancelled_total', 'Tasks cancelled while a handler of this process ran them.'),
    };
    this.waitTime = new Histogram({
      name: 'baton_task_wait_seconds',
      help: 'From enqueue to the start of a handler run in this process (a retry counts from the first enqueue).',
      labelNames: ['queue'],
      buckets: [...TASK_SECONDS_BUCKETS],
      registers,
    });
    this.runTime = new Histogram({
      name: 'baton_task_run_seconds',
      help: 'How long handler runs of this process took, by outcome.',
      labelNames: ['queue', 'outcome'],
      buckets: [...TASK_SECONDS_BUCKETS],
      registers,
    });
    this.lockWait = new Histogram({
      name: 'baton_lock_wait_seconds',
      help: 'How long acquisitions of this process waited for a lock, semaphore permits or a read/write lock, by outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: [...LOCK_WAIT_SECONDS_BUCKETS],
      registers,
    });
    this.defineGauges(registers);
    // after the gauges, so that a scrape shows the errors of its own collection
    const reading = this.reading;
    this.collectErrors = new Counter({
      name: 'baton_metrics_collect_errors_total',
      help: 'Scrapes at which a gauge could not be read from the backend (the gauge is left out of that scrape).',
      labelNames: ['source'],
      registers,
      // prom-client reads every metric of a scrape at once: wait for the gauges' reads, so that a
      // scrape shows the errors of its own reads
      async collect() {
        await Promise.all([...reading]);
      },
    });
    this.detach.push(
      instrument({
        enqueue: async (call, next) => {
          const results = await next();
          const queued = results.filter((r) => r.status === 'queued').length;
          if (queued > 0) this.enqueued.inc({ queue: call.queue }, queued);
          return results;
        },
        run: (run, next) => {
          this.waitTime.observe({ queue: run.queue }, Math.max(0, run.startedAt - run.task.enqueuedAt) / 1_000);
          return next();
        },
        lockWaited: (wait) => this.lockWait.observe({ kind: wait.kind, outcome: wait.outcome }, wait.waitedMs / 1_000),
      }),
    );
  }

  /** Counts the outcomes and run times of `scheduler`'s handler runs. Returns this. */
  observeScheduler(scheduler: Scheduler): this {
    const ran = (outcome: Exclude<Outcome, 'dead'>, info: TaskEventInfo): void => {
      this.outcomes[outcome].inc({ queue: info.queue });
      this.runTime.observe({ queue: info.queue, outcome }, info.durationMs / 1_000);
    };
    const completed = (_task: Task, info: TaskEventInfo): void => ran('completed', info);
    const failed = (_task: Task, _error: unknown, info: TaskEventInfo): void => ran('failed', info);
    const cancelled = (_task: Task, _reason: unknown, info: TaskEventInfo): void => ran('cancelled', info);
    // a dead task's run was counted by its `failed` event, which comes first
    const dead = (_task: Task, _error: unknown, info: TaskEventInfo): void => this.outcomes.dead.inc({ queue: info.queue });
    scheduler.on('completed', completed);
    scheduler.on('failed', failed);
    scheduler.on('cancelled', cancelled);
    scheduler.on('dead', dead);
    this.detach.push(() => {
      scheduler.off('completed', completed);
      scheduler.off('failed', failed);
      scheduler.off('cancelled', cancelled);
      scheduler.off('dead', dead);
    });
    return this;
  }

  /** Reports `election` in `baton_leader{election}`: 1 while this process leads it, else 0. Returns this. */
  observeElection(election: Election): this {
    this.elections.add(election);
    this.detach.push(() => this.elections.delete(election));
    return this;
  }

  /** The metrics in Prometheus's text format (what a `/metrics` route serves with `contentType`). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of `metrics()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Removes the hooks and listeners this object installed; the registry keeps its metrics. Idempotent. */
  close(): void {
    for (const fn of this.detach.splice(0)) fn();
  }

  private defineGauges(registers: Registry[]): void {
    const backend = this.options.backend;
    const queueTasks: Gauge<'queue' | 'state'> = new Gauge({
      name: 'baton_queue_tasks',
      help: "Tasks in each queue by state, read from the backend at scrape time (the deployment's view: aggregate with max).",
      labelNames: ['queue', 'state'],
      registers,
      collect: () => {
        if (!backend) return;
        queueTasks.reset();
        firstInLine.reset();
        deadDropped.reset();
        return this.read('queue', async () => {
          for (const name of await this.queueNames(backend)) {
            const queue = backend.queue(name);
            const stats = await queue.stats();
            for (const state of DEPTH_STATES) queueTasks.set({ queue: name, state }, stats[state]);
            if (stats.deadDropped !== undefined) deadDropped.set({ queue: name }, stats.deadDropped);
            const age = await this.firstInLineAge(queue);
            if (age !== undefined) firstInLine.set({ queue: name }, age);
          }
        });
      },
    });
    // Set by baton_queue_tasks's read (one read of each queue per scrape); prom-client reads every
    // metric of a scrape at once, so these wait for that read.
    const afterReads = async (): Promise<void> => {
      await Promise.all([...this.reading]);
    };
    const firstInLine: Gauge<'queue'> = new Gauge({
      name: 'baton_queue_oldest_waiting_age_seconds',
      help: 'Age of the waiting task first in line (the oldest of the highest priority), on backends with inspection; absent when none waits.',
      labelNames: ['queue'],
      registers,
      collect: afterReads,
    });
    const deadDropped: Gauge<'queue'> = new Gauge({
      name: 'baton_queue_dead_dropped',
      help: "Dead letters dropped by the queue's retainDead since it was created (a running total kept by the backend), on backends that count them.",
      labelNames: ['queue'],
      registers,
      collect: afterReads,
    });
    const nodes: Gauge<'group'> = new Gauge({
      name: 'baton_nodes',
      help: "Live nodes of each registry group, read from the backend at scrape time (the deployment's view: aggregate with max).",
      labelNames: ['group'],
      registers,
      collect: () => {
        if (!backend) return;
        nodes.reset();
        return this.read('registry', async () => {
          for (const group of this.options.groups ?? []) nodes.set({ group }, (await backend.registry(group).list()).length);
        });
      },
    });
    const leader: Gauge<'election'> = new Gauge({
      name: 'baton_leader',
      help: 'Whether this process leads the election (1) or not (0).',
      labelNames: ['election'],
      registers,
      collect: () => {
        leader.reset();
        for (const election of this.elections) leader.set({ election: election.name }, election.isLeader ? 1 : 0);
      },
    });
  }

  // One backend read of a gauge: a failure is counted, and leaves the gauge out of this scrape.
  private read(source: string, fn: () => Promise<void>): Promise<void> {
    const done = fn().catch(() => this.collectErrors.inc({ source }));
    this.reading.add(done);
    return done.finally(() => this.reading.delete(done));
  }

  private async queueNames(backend: Backend): Promise<readonly string[]> {
    if (this.options.queues) return this.options.queues;
    try {
      return await backend.queues();
    } catch (error) {
      // a backend without the inspection capability cannot list its queues: name them in `queues`
      if (isBatonError(error, 'NOT_SUPPORTED')) return [];
      throw error;
    }
  }

  // Age (s) of the task first in line, on backends with the inspection capability; undefined otherwise or when none waits.
  private async firstInLineAge(queue: Queue): Promise<number | undefined> {
    try {
      const [first] = (await queue.list('waiting', { limit: 1 })).tasks;
      return first && 'enqueuedAt' in first ? Math.max(0, this.clock.now() - first.enqueuedAt) / 1_000 : undefined;
    } catch (error) {
      if (isBatonError(error, 'NOT_SUPPORTED')) return undefined;
      throw error;
    }
  }
}
