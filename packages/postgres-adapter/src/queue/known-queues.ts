import type { PgContext } from '../backend-context.js';

/**
 * The queues this backend has marked known in `queues` (see Backend.queues): the first enqueue or
 * lease call of a queue name writes its row once per backend; later calls check a set and send
 * nothing.
 */
export class KnownQueues {
  private readonly known = new Set<string>();
  private readonly marking = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: PgContext,
    private readonly knownSql: string,
  ) {}

  /** True once `name`'s row is written by this backend. */
  has(name: string): boolean {
    return this.known.has(name);
  }

  /** Writes `name`'s row (a no-op when another node did); resolves once it is committed. */
  mark(name: string): Promise<void> {
    let pending = this.marking.get(name);
    if (pending === undefined) {
      pending = this.ctx.db.query(this.knownSql, [name]).then(
        () => {
          this.known.add(name);
          this.marking.delete(name);
        },
        (error: unknown) => {
          this.marking.delete(name);
          throw error;
        },
      );
      this.marking.set(name, pending);
    }
    return pending;
  }
}
