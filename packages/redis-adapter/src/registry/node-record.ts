import { BackendDataError, type NodeRecord, type RegistryEvent } from '@baton/core';

/** A node record as stored: the NodeRecord plus the TTL it heartbeats with (ms). */
export interface StoredNode extends NodeRecord {
  ttlMs: number;
  /** Random id of the registration that wrote it. */
  reg: string;
}

/** The stored JSON of a node. */
export function encodeNode(node: StoredNode): string {
  return JSON.stringify({ id: node.id, meta: node.meta, registeredAt: node.registeredAt, lastSeen: node.lastSeen, ttlMs: node.ttlMs, reg: node.reg });
}

/** Parses a stored node; throws BackendDataError when it is not one. */
export function decodeNode(text: string, where: string): StoredNode {
  let value: StoredNode;
  try {
    value = JSON.parse(text) as StoredNode;
  } catch (cause) {
    throw new BackendDataError(`A node record in ${where} is not valid JSON.`, { cause });
  }
  if (typeof value !== 'object' || value === null || typeof value.id !== 'string') {
    throw new BackendDataError(`A node record in ${where} has no id.`);
  }
  return value;
}

/** The public NodeRecord of a stored node. */
export function publicNode(node: StoredNode): NodeRecord {
  return { id: node.id, meta: { ...(node.meta ?? {}) }, registeredAt: Number(node.registeredAt), lastSeen: Number(node.lastSeen) };
}

/** Parses a join/leave message published by the scripts, with the node's TTL (ms); undefined when it is not one. */
export function decodeEvent(message: string): { event: RegistryEvent; ttlMs: number } | undefined {
  try {
    const parsed = JSON.parse(message) as { type?: unknown; node?: StoredNode };
    if ((parsed.type !== 'join' && parsed.type !== 'leave') || typeof parsed.node?.id !== 'string') return undefined;
    return { event: { type: parsed.type, node: publicNode(parsed.node) }, ttlMs: Number(parsed.node.ttlMs) };
  } catch {
    return undefined;
  }
}
