import type { Scheduler } from './scheduler.js';

/** Options of `installSignalHandlers`. */
export interface SignalHandlerOptions {
  /** Signals that stop the scheduler. @default ['SIGINT', 'SIGTERM'] */
  signals?: NodeJS.Signals[];
  /** Passed to `scheduler.stop()`. @default the scheduler's stopTimeoutMs */
  timeoutMs?: number;
  /**
   * After the scheduler stopped: true re-raises the signal with the handlers removed, so the
   * process ends the way it would have without them (exit status 128 + signal number); false
   * leaves the process running (call the returned uninstall yourself). @default true
   */
  exit?: boolean;
}

/**
 * Wires process signals to a graceful `scheduler.stop()`. A second signal while stopping ends the
 * process at once. Returns a function that removes the handlers.
 */
export function installSignalHandlers(scheduler: Scheduler, options: SignalHandlerOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = options.exit ?? true;
  let stopping = false;
  const uninstall = (): void => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  function onSignal(signal: NodeJS.Signals): void {
    if (stopping) {
      uninstall();
      process.kill(process.pid, signal);
      return;
    }
    stopping = true;
    const stopOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
    scheduler
      .stop(stopOptions)
      .catch((error: unknown) => console.error(`[baton] stop after ${signal} failed:`, error))
      .finally(() => {
        if (!exit) return;
        uninstall();
        process.kill(process.pid, signal);
      });
  }
  for (const signal of signals) process.on(signal, onSignal);
  return uninstall;
}
