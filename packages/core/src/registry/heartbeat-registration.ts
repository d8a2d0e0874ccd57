import { setClockTimeout, type Clock } from '../clock/index.js';
import type { NodeRecord, Registration } from '../interfaces/index.js';
import type { Logger } from '../interfaces/logger.js';

/** The primitive steps a Registration needs from its backend. */
export interface HeartbeatSteps {
  /** Refreshes the node's TTL (re-adding it if it had expired) and returns its record. */
  beat(): Promise<NodeRecord>;
  /** Removes the node; true when it was live. */
  remove(): Promise<boolean>;
}

/**
 * A registration that heartbeats every ttl/3 of clock time until deregistered. A heartbeat that
 * fails is logged and retried at the next beat; the TTL decides when the node is gone.
 */
export class HeartbeatRegistration implements Registration {
  private cancelBeat: () => void = () => undefined;
  private stopped = false;
  private current: NodeRecord;

  constructor(
    node: NodeRecord,
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly steps: HeartbeatSteps,
    private readonly logger: Logger,
  ) {
    this.current = node;
    this.schedule();
  }

  /** The node as of its last successful heartbeat. */
  get node(): NodeRecord {
    return this.current;
  }

  /** Stops heartbeats and removes the node. Idempotent. */
  async deregister(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelBeat();
    await this.steps.remove();
  }

  /** Deregisters (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.deregister();
  }

  /** Stops heartbeats without removing the node (the backend is closing; the TTL will expire it). */
  stop(): void {
    this.stopped = true;
    this.cancelBeat();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancelBeat = setClockTimeout(this.clock, Math.max(1, Math.floor(this.ttlMs / 3)), () => {
      this.steps
        .beat()
        .then(
          (record) => {
            if (!this.stopped) this.current = record;
          },
          (error: unknown) => this.logger.warn('heartbeat failed; retrying at the next beat', { node: this.current.id, error: String(error) }),
        )
        .finally(() => this.schedule());
    });
  }
}
