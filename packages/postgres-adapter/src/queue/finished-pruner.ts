import { setClockTimeout } from '@baton/core';
import type { PgContext } from '../backend-context.js';

/** How often a backend that uses queues deletes finished ids past their retention (ms). */
const PRUNE_EVERY_MS = 1_000;
/** Rows one statement deletes; a run goes on while batches come back full, up to MAX_BATCHES. */
const BATCH = 1_000;
const MAX_BATCHES = 20;

/**
 * Deletes finished ids whose retention ran out, in the background: statements of at most 1,000
 * rows (FOR UPDATE SKIP LOCKED, so pruners of several processes never wait on each other), at most
 * 20 a second per backend. A finished id past its retention is already treated as unknown by
 * every statement; pruning only gives the space back.
 */
export class FinishedPruner {
  private started = false;
  private cancel: () => void = () => undefined;

  constructor(
    private readonly ctx: PgContext,
    private readonly pruneSql: string,
  ) {
    ctx.onClose(() => this.cancel());
  }

  /** Starts the background pruning (once). */
  start(): void {
    if (this.started || this.ctx.closed) return;
    this.started = true;
    this.schedule();
  }

  /** Runs one pruning pass now; resolves the number of ids deleted. */
  async pruneOnce(): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES && !this.ctx.closed; i++) {
      const [row] = await this.ctx.db.query<{ n: number }>(`WITH gone AS (${this.pruneSql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, [BATCH]);
      total += row?.n ?? 0;
      if ((row?.n ?? 0) < BATCH) break;
    }
    return total;
  }

  private schedule(): void {
    if (this.ctx.closed) return;
    this.cancel = setClockTimeout(this.ctx.clock, PRUNE_EVERY_MS, () => {
      this.pruneOnce().then(
        () => this.schedule(),
        (error: unknown) => {
          this.ctx.logger.debug('pruning finished ids failed; retrying', { error: String(error) });
          this.schedule();
        },
      );
    });
  }
}
