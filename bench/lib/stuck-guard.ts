/** How long a scenario may go without progress before it is declared stuck (ms). */
export const STUCK_MS = 60_000;

/**
 * Waits for `done`, and rejects when `progress()` (a line saying how far the scenario got, e.g.
 * `processed 2063/5000`) stays the same for `stuckMs`: a slow run that keeps completing jobs goes
 * on, however long it takes; one that stopped fails with that line. Looks every `stuckMs / 10`.
 */
export async function withStuckGuard(done: Promise<void>, progress: () => string, stuckMs = STUCK_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    let last = progress();
    let since = Date.now();
    const look = (): void => {
      const now = progress();
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= stuckMs) {
        reject(new Error(`scenario stuck: no progress for ${stuckMs} ms: ${now}`));
        return;
      }
      timer = setTimeout(look, stuckMs / 10);
    };
    timer = setTimeout(look, stuckMs / 10);
  });
  try {
    await Promise.race([done, stuck]);
  } finally {
    clearTimeout(timer);
  }
}
