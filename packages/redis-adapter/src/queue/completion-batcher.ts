import type { LeaseRef } from '@baton/core/adapter';

/** Most completions sent in one script call (bounded by Lua's argument limits). */
const MAX_BATCH = 1_000;

/** A completion waiting to be sent; the one who sends it settles it. */
export interface PendingCompletion {
  id: string;
  token: string;
  resolve: (held: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the completions of one queue handle that are requested in the same event-loop turn
 * (a worker pool finishing many handlers at once) and sends them as one `completeTask` call:
 * one command and one script run for the batch instead of one per task. A lone completion
 * leaves on the next microtask, so it waits for nothing. A lease call made in the same turn takes
 * the waiting completions along (see take), so the worker's completion and next lease are one call.
 */
export class CompletionBatcher {
  private pending: PendingCompletion[] = [];
  private scheduled = false;

  /** @param send runs the script for a batch; resolves one held flag per lease, in order. */
  constructor(private readonly send: (items: Array<{ id: string; token: string }>) => Promise<boolean[]>) {}

  /** Resolves true when the lease was still held and is now finished, false when it was lost. */
  complete(lease: LeaseRef): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id: lease.id, token: lease.token, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    });
  }

  /** Hands over up to one batch of the completions not sent yet; the caller sends them and settles each. */
  take(): PendingCompletion[] {
    return this.pending.splice(0, MAX_BATCH);
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) {
      const batch = all.slice(i, i + MAX_BATCH);
      this.send(batch).then(
        (held) => batch.forEach((p, j) => p.resolve(held[j] === true)),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      );
    }
  }
}
