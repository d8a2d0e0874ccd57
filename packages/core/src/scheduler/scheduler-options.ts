import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { NodeMeta } from '../interfaces/index.js';
import { assertName, assertOptionsObject, nonNegativeIntOr, positiveIntOr } from '../validation/index.js';
import { prepareNode } from '../registry/index.js';

/** Settings of one Scheduler (one node). Bind them to TOKENS.SchedulerOptions or pass them to the constructor. */
export interface SchedulerOptions {
  /** This node's id in the registry. @default `<hostname>-<pid>-<6 random hex>` */
  nodeId?: string;
  /** Registry group the node joins; nodes of one cluster share it. @default 'baton' */
  group?: string;
  /** Extra metadata published with the node (beside host, pid, queues, concurrency). @default {} */
  meta?: NodeMeta;
  /** Node TTL (ms): a node not heard from for this long leaves `nodes()`. Heartbeats run every ttl/3. @default 10_000 */
  nodeTtlMs?: number;
  /** How often (ms) this node returns expired leases of its queues to waiting (`recoverStalled`). @default 5_000 */
  recoverStalledIntervalMs?: number;
  /**
   * How long (ms) an idle worker blocks in `dequeueMany` before looking again (`stop()` ends the
   * wait at once). On a backend whose waits are woken reliably (memory, Redis) an idle worker
   * waits until woken instead (at least an hour per dequeue), so idle queues cost nothing. @default 1_000
   */
  idleWaitMs?: number;
  /** Pause (ms) after a backend error in a worker loop before it tries again. @default 1_000 */
  errorBackoffMs?: number;
  /** Default `stop()` timeout (ms): how long in-flight tasks may finish before they are aborted. @default 10_000 */
  stopTimeoutMs?: number;
  /** Default lock TTL (ms) of `scheduler.elect()`. @default 10_000 */
  electionTtlMs?: number;
}

/** SchedulerOptions with every default filled in. */
export interface ResolvedSchedulerOptions {
  nodeId: string;
  group: string;
  meta: NodeMeta;
  nodeTtlMs: number;
  recoverStalledIntervalMs: number;
  idleWaitMs: number;
  errorBackoffMs: number;
  stopTimeoutMs: number;
  electionTtlMs: number;
}

/** Scheduler defaults (ms unless named otherwise). */
export const SCHEDULER_DEFAULTS = {
  group: 'baton',
  nodeTtlMs: 10_000,
  recoverStalledIntervalMs: 5_000,
  idleWaitMs: 1_000,
  errorBackoffMs: 1_000,
  stopTimeoutMs: 10_000,
  electionTtlMs: 10_000,
} as const;

/** A node id unique enough for a cluster: host, pid and 24 random bits. */
export function defaultNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Validates scheduler options (InvalidArgumentError naming the option) and fills in the defaults. */
export function resolveSchedulerOptions(options: SchedulerOptions | undefined): ResolvedSchedulerOptions {
  assertOptionsObject('options', options);
  const o = options ?? {};
  const nodeId = o.nodeId ?? defaultNodeId();
  assertName('options.nodeId', nodeId);
  const group = o.group ?? SCHEDULER_DEFAULTS.group;
  assertName('options.group', group);
  const { meta } = prepareNode({ id: nodeId, meta: o.meta });
  return {
    nodeId,
    group,
    meta,
    nodeTtlMs: positiveIntOr('options.nodeTtlMs', o.nodeTtlMs, SCHEDULER_DEFAULTS.nodeTtlMs),
    recoverStalledIntervalMs: positiveIntOr('options.recoverStalledIntervalMs', o.recoverStalledIntervalMs, SCHEDULER_DEFAULTS.recoverStalledIntervalMs),
    idleWaitMs: positiveIntOr('options.idleWaitMs', o.idleWaitMs, SCHEDULER_DEFAULTS.idleWaitMs),
    errorBackoffMs: positiveIntOr('options.errorBackoffMs', o.errorBackoffMs, SCHEDULER_DEFAULTS.errorBackoffMs),
    stopTimeoutMs: nonNegativeIntOr('options.stopTimeoutMs', o.stopTimeoutMs, SCHEDULER_DEFAULTS.stopTimeoutMs),
    electionTtlMs: positiveIntOr('options.electionTtlMs', o.electionTtlMs, SCHEDULER_DEFAULTS.electionTtlMs),
  };
}
