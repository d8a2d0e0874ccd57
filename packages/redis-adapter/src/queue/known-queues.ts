import type { BackendContext } from '../backend-context.js';

/**
 * The queue names of a deployment (`backend.queues()`): one set under the prefix, `<prefix>:{queues}`.
 * A queue is added at its first enqueue or lease call from a process (one SADD, sent beside that
 * first script call), so later calls cost nothing. On a Cluster the set is one key in one slot;
 * queue scripts never touch it (it is in another slot than the queue's keys).
 */
export class KnownQueues {
  private readonly added = new Set<string>();
  private readonly adding = new Map<string, Promise<void>>();

  constructor(private readonly ctx: BackendContext) {}

  /** The set's key. */
  get key(): string {
    return `${this.ctx.keys.prefix}:{queues}`;
  }

  /** Adds `name` once per process; undefined when it is known here already (nothing to send). */
  add(name: string): Promise<void> | undefined {
    if (this.added.has(name)) return undefined;
    let adding = this.adding.get(name);
    if (!adding) {
      adding = this.ctx.runner
        .call((client) => client.sadd(this.key, name))
        .then(() => {
          this.added.add(name);
        })
        .finally(() => this.adding.delete(name));
      this.adding.set(name, adding);
    }
    return adding;
  }

  /** Every queue name known to the deployment, sorted. */
  async list(): Promise<string[]> {
    const names = await this.ctx.runner.call((client) => client.smembers(this.key));
    return names.sort();
  }
}
