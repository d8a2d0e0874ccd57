import { InvalidArgumentError } from '../errors/index.js';
import type { Clock } from '../clock/index.js';
import type { EnqueueOptions, EnqueueResult, Lease, Queue, QueueStats, Task } from '../interfaces/index.js';
import { assertName, assertOptionsObject, assertPositiveInt, nonNegativeIntOr, positiveIntOr } from '../validation/index.js';
import { backoffDelay } from './backoff.js';
import { newTaskId } from '../ids/index.js';
import { assertLease, errorMessage, prepareItem, prepareTask, type PreparedTask } from './queue-input.js';
import type { ResolvedQueueOptions } from './queue-options.js';

/** Largest batch accepted by enqueueMany / dequeueMany / deadLetters. */
export const MAX_BATCH = 10_000;

/** What a failed attempt becomes, decided by core from the attempt count and the backoff policy. */
export interface FailDecision {
  /** The error message stored on the task. */
  message: string;
  /** True: move to the dead-letter list. False: retry after `retryInMs`. */
  dead: boolean;
  retryInMs: number;
}

/**
 * The part of every Queue that does not depend on storage: argument checks, payload
 * serialization, id generation and the retry/backoff decision. An adapter extends it and
 * implements the primitive steps, each of which must be atomic in its storage.
 */
export abstract class BaseQueue<T> implements Queue<T> {
  constructor(
    readonly name: string,
    protected readonly options: ResolvedQueueOptions,
    protected readonly clock: Clock,
    protected readonly random: () => number = Math.random,
  ) {
    assertName('name', name);
  }

  /** Stores prepared tasks, honouring dedup; results in input order. */
  protected abstract addTasks(tasks: PreparedTask[]): Promise<EnqueueResult[]>;
  /** Leases up to `max` ready tasks, waiting up to `waitMs` (0: no wait) while there are none. */
  protected abstract leaseTasks(max: number, waitMs: number): Promise<Lease<T>[]>;
  /** Finishes the lease if its token still holds the task. */
  protected abstract completeLease(lease: Lease<T>): Promise<boolean>;
  /** Retries or dead-letters the lease if its token still holds the task; false when lost. */
  protected abstract failLease(lease: Lease<T>, decision: FailDecision): Promise<boolean>;
  /** Moves the lease deadline to now + ms if its token still holds the task. */
  protected abstract extendLease(lease: Lease<T>, ms: number): Promise<boolean>;
  /** See Queue.isFinished. */
  protected abstract checkFinished(id: string): Promise<boolean>;
  /** See Queue.recoverStalled. */
  abstract recoverStalled(): Promise<number>;
  /** See Queue.stats. */
  abstract stats(): Promise<QueueStats>;
  /** Newest dead letters first, at most `limit`. */
  protected abstract listDead(limit: number): Promise<Task<T>[]>;
  /** Throws ClosedError when the backend was closed. */
  protected abstract assertOpen(): void;

  /** See Queue.enqueue. */
  async enqueue(payload: T, options?: EnqueueOptions): Promise<EnqueueResult> {
    this.assertOpen();
    const task = prepareTask('options', payload, options, this.options.maxPayloadBytes, newTaskId);
    const [result] = await this.addTasks([task]);
    return result!;
  }

  /** See Queue.enqueueMany. */
  async enqueueMany(items: Array<{ payload: T } & EnqueueOptions>): Promise<EnqueueResult[]> {
    this.assertOpen();
    if (!Array.isArray(items)) throw new InvalidArgumentError('items', 'must be an array');
    if (items.length > MAX_BATCH) throw new InvalidArgumentError('items', `must hold at most ${MAX_BATCH} tasks, got ${items.length}`);
    if (items.length === 0) return [];
    const tasks = new Array<PreparedTask>(items.length);
    for (let i = 0; i < items.length; i++) tasks[i] = prepareItem(items, i, this.options.maxPayloadBytes, newTaskId);
    return this.addTasks(tasks);
  }

  /** See Queue.dequeue. */
  async dequeue(options?: { waitMs?: number }): Promise<Lease<T> | null> {
    const [lease] = await this.dequeueMany(1, options);
    return lease ?? null;
  }

  /** See Queue.dequeueMany. */
  async dequeueMany(max: number, options?: { waitMs?: number }): Promise<Lease<T>[]> {
    this.assertOpen();
    assertPositiveInt('max', max);
    if (max > MAX_BATCH) throw new InvalidArgumentError('max', `must be at most ${MAX_BATCH}, got ${max}`);
    assertOptionsObject('options', options);
    const waitMs = nonNegativeIntOr('options.waitMs', options?.waitMs, 0);
    return this.leaseTasks(max, waitMs);
  }

  /** See Queue.complete. */
  async complete(lease: Lease<T>): Promise<boolean> {
    this.assertOpen();
    assertLease(lease);
    return this.completeLease(lease);
  }

  /** See Queue.fail. */
  async fail(lease: Lease<T>, error: unknown, options?: { retryInMs?: number }): Promise<'retry' | 'dead' | 'lost'> {
    this.assertOpen();
    assertLease(lease);
    assertOptionsObject('options', options);
    const explicit = nonNegativeIntOr('options.retryInMs', options?.retryInMs, -1);
    const attempt = typeof lease.attempt === 'number' ? lease.attempt : 1;
    const decision: FailDecision = {
      message: errorMessage(error),
      dead: attempt >= this.options.maxAttempts,
      retryInMs: explicit >= 0 ? explicit : backoffDelay(attempt, this.options.backoff, this.random),
    };
    const held = await this.failLease(lease, decision);
    if (!held) return 'lost';
    return decision.dead ? 'dead' : 'retry';
  }

  /** See Queue.extend. */
  async extend(lease: Lease<T>, ms: number): Promise<boolean> {
    this.assertOpen();
    assertLease(lease);
    assertPositiveInt('ms', ms);
    return this.extendLease(lease, ms);
  }

  /** See Queue.isFinished. */
  async isFinished(id: string): Promise<boolean> {
    this.assertOpen();
    assertName('id', id);
    return this.checkFinished(id);
  }

  /** See Queue.deadLetters. */
  async deadLetters(limit?: number): Promise<Task<T>[]> {
    this.assertOpen();
    const n = positiveIntOr('limit', limit, 100);
    if (n > MAX_BATCH) throw new InvalidArgumentError('limit', `must be at most ${MAX_BATCH}, got ${n}`);
    return this.listDead(n);
  }
}
