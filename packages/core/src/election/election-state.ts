import type { LockManager } from '../interfaces/index.js';
import { assertName } from '../validation/index.js';

/** Who leads an election at one moment, as `inspectElection` reads it from the election's lock. */
export interface ElectionState {
  name: string;
  /** True while some node holds the leadership lock. */
  led: boolean;
  /** The fence of the current term while led, else of the latest term (0 before the first): terms only grow. */
  term: number;
  /** Time left before the current term ends unless the leader renews it (ms, by the backend's clock); null while nobody leads. */
  expiresInMs: number | null;
  /** Nodes waiting in line to lead (0 on a backend that keeps no line). */
  candidates: number;
}

/**
 * Reads the state of election `name` on `locks` (the lock `election:<name>` that `elect` campaigns
 * for), from any node, changing nothing. The leader is known by its term's fence, never its token.
 * Throws what `locks.inspect` throws (NotSupportedError without `lockInspection`).
 */
export async function inspectElection(locks: LockManager, name: string): Promise<ElectionState> {
  assertName('name', name);
  const state = await locks.inspect(`election:${name}`);
  return { name, led: state.holder !== null, term: state.fence, expiresInMs: state.holder?.expiresInMs ?? null, candidates: state.waiters };
}
