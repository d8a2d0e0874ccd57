/**
 * The exit codes of `baton`, stable across releases so scripts can branch on them. Documented in
 * docs/operations.md and in `baton --help`.
 */
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** What the command names does not exist: an unknown queue, task id or node group. */
  notFound: 1,
  /**
   * Bad usage: an unknown command or flag, a missing or malformed argument (bad JSON, a bad
   * state name, an invalid cursor), or a destructive command that was not confirmed.
   */
  usage: 2,
  /** The backend cannot be used: unreachable, refusing commands, out of memory, or without Baton's schema. */
  unavailable: 3,
  /** The backend lacks what the command needs (e.g. inspection on a backend that has not got it yet). */
  notSupported: 4,
  /** Anything else (a bug, corrupt data): one line, and the stack with `--debug`. */
  failed: 5,
} as const;

/** One of the EXIT values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
