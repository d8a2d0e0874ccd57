import type { NodeMeta, NodeRecord, RegistryEvent } from '@baton/core';

/** A row of `nodes` as the registry reads it (bigints arrive as text). */
export interface NodeRow {
  id: string;
  meta: NodeMeta;
  registered_at: string;
  last_seen: string;
  ttl_ms: string;
}

/** The public NodeRecord of a row. */
export function toNodeRecord(row: NodeRow): NodeRecord {
  return { id: row.id, meta: { ...row.meta }, registeredAt: Number(row.registered_at), lastSeen: Number(row.last_seen) };
}

/** Parses a join/leave notification of `node_event`, with the node's TTL (ms); undefined when it is not one. */
export function decodeEvent(payload: string): { event: RegistryEvent; ttlMs: number } | undefined {
  try {
    const parsed = JSON.parse(payload) as {
      type?: unknown;
      node?: { id?: unknown; meta?: NodeMeta; registeredAt?: unknown; lastSeen?: unknown; ttlMs?: unknown };
    };
    const node = parsed.node;
    if ((parsed.type !== 'join' && parsed.type !== 'leave') || typeof node?.id !== 'string') return undefined;
    const record: NodeRecord = { id: node.id, meta: { ...(node.meta ?? {}) }, registeredAt: Number(node.registeredAt), lastSeen: Number(node.lastSeen) };
    return { event: { type: parsed.type, node: record }, ttlMs: Number(node.ttlMs) };
  } catch {
    return undefined;
  }
}
