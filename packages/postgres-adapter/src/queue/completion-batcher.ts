import type { LeaseRef } from '@baton/core/adapter';

/** Most completions sent in one statement. */
const MAX_BATCH = 1_000;

/** A completion waiting to be sent; the one who sends it settles it. */
export interface PendingCompletion {
  id: string;
  token: string;
  /** The result's JSON text, or null for none. */
  result: string | null;
  resolve: (held: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the completions of one queue handle requested in the same event-loop turn (a worker
 * pool finishing several handlers at once) and sends them as one statement. A lone completion
 * leaves on the next microtask, so it waits for nothing. A claim made in the same turn takes the
 * waiting completions along (see take), so at concurrency 1 a worker's completion and its next
 * claim are one statement.
 */
export class CompletionBatcher {
  private pending: PendingCompletion[] = [];
  private scheduled = false;

  /** @param send runs one statement for a batch; resolves the ids that were held (now finished). */
  constructor(private readonly send: (ids: string[], tokens: string[], results: Array<string | null>) => Promise<string[]>) {}

  /** Resolves true when the lease was still held and is now finished (with `result`, JSON text), false when it was lost. */
  complete(lease: LeaseRef, result: string | undefined): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id: lease.id, token: lease.token, result: result ?? null, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    });
  }

  /** Hands over up to one batch of the completions not sent yet; the caller sends them and settles them with `settle`. */
  take(): PendingCompletion[] {
    return this.pending.splice(0, MAX_BATCH);
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) {
      const batch = all.slice(i, i + MAX_BATCH);
      this.send(
        batch.map((p) => p.id),
        batch.map((p) => p.token),
        batch.map((p) => p.result),
      ).then(
        (held) => settle(batch, held),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      );
    }
  }
}

/** Settles each completion of a batch from the ids the statement finished; an id completed twice in one batch holds once. */
export function settle(batch: readonly PendingCompletion[], heldIds: readonly string[]): void {
  const held = new Set(heldIds);
  for (const p of batch) p.resolve(held.delete(p.id));
}
