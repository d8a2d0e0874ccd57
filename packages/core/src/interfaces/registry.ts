/** Scalar metadata a node publishes about itself. */
export type NodeMeta = Record<string, string | number | boolean>;

/** A live node as listed by a Registry. */
export interface NodeRecord {
  id: string;
  meta: NodeMeta;
  /** Clock time (ms) of the registration. */
  registeredAt: number;
  /** Clock time (ms) of the last heartbeat. */
  lastSeen: number;
}

/** A node's registration; keeps heartbeating until deregistered or disposed. */
export interface Registration extends AsyncDisposable {
  readonly node: NodeRecord;
  /** Stops heartbeats and removes the node (a `leave` event fires). Idempotent. */
  deregister(): Promise<void>;
}

/** Join/leave notifications about nodes of one group. */
export interface RegistryEvent {
  type: 'join' | 'leave';
  node: NodeRecord;
}

/** Options of a registry group. */
export interface RegistryOptions {
  /** Default node TTL (ms) when `register` does not give one. @default 10_000 */
  ttlMs?: number;
  /** Explicit storage names (Redis: `{ members: 'nodes' }`). Backends without named storage ignore them. */
  keys?: { members?: string };
}

/**
 * The live nodes of one group. A node heartbeats every ttl/3; one not heard from within its TTL
 * leaves `list()` and watchers get a `leave` event.
 */
export interface Registry {
  readonly group: string;
  /**
   * Registers (or re-registers) a node and starts heartbeats. Throws `InvalidArgumentError` for an
   * empty or over-long id, bad meta or a non-positive TTL. @default ttlMs the registry's ttlMs
   */
  register(node: { id: string; meta?: NodeMeta }, options?: { ttlMs?: number }): Promise<Registration>;
  /** Live nodes only, sorted by id. Expired nodes are removed as a side effect. */
  list(): Promise<NodeRecord[]>;
  /** Removes a node registered by anyone; true when it was live. Its own heartbeats (if any) stop registering it only if it deregisters itself. */
  deregister(id: string): Promise<boolean>;
  /** Calls `listener` on every join and leave in this group, including nodes of other processes. Returns the unsubscribe function. */
  watch(listener: (event: RegistryEvent) => void): () => void;
}
