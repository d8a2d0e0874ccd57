import { InvalidArgumentError } from '../errors/index.js';
import type { NodeMeta } from '../interfaces/index.js';
import { assertName, assertOptionsObject } from '../validation/index.js';

/** Registry defaults (ms). */
export const REGISTRY_DEFAULTS = { ttlMs: 10_000 } as const;

/** Most meta entries a node may publish. */
export const MAX_META_ENTRIES = 64;

/** Validates `register`'s node argument and returns its id and a copy of its meta. */
export function prepareNode(node: unknown): { id: string; meta: NodeMeta } {
  assertOptionsObject('node', node);
  if (node === undefined) throw new InvalidArgumentError('node', 'must be an object with an id');
  const { id, meta } = node as { id: unknown; meta?: unknown };
  assertName('node.id', id);
  assertOptionsObject('node.meta', meta);
  const copy: NodeMeta = {};
  const entries = Object.entries((meta ?? {}) as Record<string, unknown>);
  if (entries.length > MAX_META_ENTRIES) throw new InvalidArgumentError('node.meta', `must have at most ${MAX_META_ENTRIES} entries`);
  for (const [key, value] of entries) {
    const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw new InvalidArgumentError(`node.meta.${key}`, 'must be a string, a finite number or a boolean');
    copy[key] = value as string | number | boolean;
  }
  return { id, meta: copy };
}
