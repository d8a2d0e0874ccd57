/**
 * Sizes of the fault suite. `npm test` runs scaled-down sizes so the whole suite stays within a
 * few minutes on a 2-core machine; BATON_FAULT_FULL=1 runs the sizes the issue names.
 */
export const FULL = process.env.BATON_FAULT_FULL === '1';

/** `full` under BATON_FAULT_FULL=1, `quick` otherwise. */
export function scaled<T>(quick: T, full: T): T {
  return FULL ? full : quick;
}
