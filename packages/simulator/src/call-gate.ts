import { BackendUnavailableError } from '@baton/core';
import type { StoreWrapper } from '@baton/memory-adapter';
import type { NodeClock } from './node-clock.js';
import type { Prng } from './prng.js';

// The store calls that cross the network on a real backend; anything else (watch, leaveQueue,
// private helpers) goes straight to the store, bound to it so its own calls bypass the gate.
const CALLS = {
  queue: new Set(['add', 'lease', 'complete', 'fail', 'extend', 'isFinished', 'recoverStalled', 'stats', 'deadLetters', 'outcome', 'cancel', 'progress']),
  lock: new Set(['tryAcquire', 'extend', 'release', 'waitForRelease', 'confirm']),
  permits: new Set(['tryAcquire', 'extend', 'release', 'waitForRelease', 'inspect']),
};

/** A call fault in force on one node: which share of calls it hits, drawn from its own stream. */
export interface CallFault {
  rate: number;
  rng: Prng;
  /** call-late: longest delay (ms); 0 for call-fail. */
  delayMs: number;
}

/**
 * Everything between one virtual node and the shared store: it holds the node's calls while it is
 * paused (before they reach the store and before their answers reach the node), fails them while
 * it is partitioned, and applies call faults (a lost request, a lost reply, a late reply).
 */
export class CallGate {
  /** True while the node cannot reach the store. */
  partitioned = false;
  /** The call-fail fault in force, if any. */
  failing: CallFault | undefined;
  /** The call-late fault in force, if any. */
  late: CallFault | undefined;

  constructor(
    private readonly nodeId: string,
    private readonly clock: NodeClock,
    private readonly note: (line: string) => void,
  ) {}

  /** A MemoryBackend `wrapStore` hook that sends every asynchronous store call through this gate. */
  readonly wrap: StoreWrapper = (kind, store) =>
    new Proxy(store, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => Promise<unknown>;
        const calls = kind === 'queue' ? CALLS.queue : kind === 'lock' ? CALLS.lock : CALLS.permits;
        if (typeof prop !== 'string' || !calls.has(prop)) return fn.bind(target);
        return (...args: unknown[]) => this.call(`${kind}.${prop}`, () => fn.apply(target, args));
      },
    });

  /** Runs one store call under the faults in force. */
  async call<R>(what: string, invoke: () => Promise<R>): Promise<R> {
    await this.clock.whenRunning();
    if (this.partitioned) throw new BackendUnavailableError(`simulated partition: ${this.nodeId} cannot reach the store (${what})`);
    const fail = this.failing !== undefined && this.failing.rng.chance(this.failing.rate) ? (this.failing.rng.chance(0.5) ? 'request' : 'reply') : undefined;
    if (fail === 'request') {
      this.note(`${this.nodeId} ${what}: request lost`);
      throw new BackendUnavailableError(`simulated fault: the request of ${what} was lost`);
    }
    const result = await invoke();
    if (this.partitioned) {
      // A call that blocked in the store (a dequeue, a lock wait) when the partition began.
      await this.clock.whenRunning();
      throw new BackendUnavailableError(`simulated partition: the reply to ${what} did not reach ${this.nodeId}`);
    }
    if (fail === 'reply') {
      this.note(`${this.nodeId} ${what}: reply lost`);
      await this.clock.whenRunning();
      throw new BackendUnavailableError(`simulated fault: the reply to ${what} was lost`);
    }
    if (this.late !== undefined && this.late.rng.chance(this.late.rate)) {
      const ms = this.late.rng.int(1, this.late.delayMs);
      this.note(`${this.nodeId} ${what}: answered ${ms}ms late`);
      await this.clock.sleep(ms);
    }
    await this.clock.whenRunning();
    return result;
  }
}
