/**
 * Known bugs that tests switch on to prove that a fault-finding tool (the simulator) finds them.
 * All off by default; nothing but `@baton/memory-adapter/testing` exports this object, and a test
 * that sets a flag must clear it again (`try … finally`). Never set in production code.
 */
export const seededBugs = {
  /**
   * `complete` accepts any attempt of an active task, not only the one holding the current
   * lease: a worker whose lease ran out (paused, partitioned) completes a task another worker now
   * runs.
   */
  completeWithoutTokenCheck: false,
};
