import { InvalidArgumentError, SerializationError } from '../errors/index.js';

function describe(what: string, path: string): string {
  return path === '' ? `the ${what}` : `${what}${path}`;
}

// JSON.stringify silently drops or rewrites these; refusing them keeps what a worker gets equal to what was sent.
function check(what: string, value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new SerializationError(what, `${describe(what, path)} is ${value}, which JSON cannot carry`);
      return;
    case 'undefined':
      throw new SerializationError(what, `${describe(what, path)} is undefined, which JSON cannot carry (use null)`);
    case 'function':
    case 'symbol':
    case 'bigint':
      throw new SerializationError(what, `${describe(what, path)} is a ${typeof value}, which JSON cannot carry`);
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new SerializationError(what, `${describe(what, path)} is a circular reference`);
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw new SerializationError(what, `${describe(what, `${path}[${i}]`)} is a hole in a sparse array`);
          check(what, value[i], `${path}[${i}]`, seen);
        }
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          const kind = (value as object).constructor?.name ?? 'object';
          throw new SerializationError(what, `${describe(what, path)} is a ${kind}, which JSON does not carry faithfully (send a plain object or a string)`);
        }
        if (Object.getOwnPropertySymbols(value).length > 0) {
          throw new SerializationError(what, `${describe(what, path)} has symbol keys, which JSON cannot carry`);
        }
        for (const [key, child] of Object.entries(value)) check(what, child, `${path}.${key}`, seen);
      }
      seen.delete(value);
      return;
    }
  }
}

// Deeper payloads take the full check, whose seen-set catches cycles.
const FAST_DEPTH = 32;

/**
 * True when `value` certainly passes `check`: the common shapes (primitives, plain objects, dense
 * arrays) without building paths or a seen-set. False means "not sure": the caller runs `check`,
 * which throws with the precise path, or passes (e.g. a payload deeper than FAST_DEPTH).
 */
function plainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= FAST_DEPTH) return false;
      if (Array.isArray(value)) {
        // A hole reads as undefined, which is refused here, so `check` reports it.
        for (let i = 0; i < value.length; i++) if (!plainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      if (Object.getOwnPropertySymbols(value).length > 0) return false;
      const record = value as Record<string, unknown>;
      // for-in visits the same own enumerable string keys as Object.entries (the prototype is
      // Object.prototype or null); an inherited enumerable key only makes this bail out or look further.
      for (const key in record) if (!plainJson(record[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/**
 * Serializes a payload to JSON, refusing what JSON cannot carry faithfully (undefined, functions,
 * symbols, BigInt, cycles, NaN/Infinity, class instances such as Date or Map) with SerializationError,
 * and payloads over `maxBytes` UTF-8 bytes with InvalidArgumentError.
 */
export function serializePayload(payload: unknown, maxBytes: number): string {
  return serializeJson(payload, maxBytes, 'payload', 'maxPayloadBytes');
}

/**
 * serializePayload for any value stored as JSON (a result, a progress value): errors name `what`
 * (the argument) and `limitName` (the size limit, in bytes of UTF-8 JSON).
 */
export function serializeJson(value: unknown, maxBytes: number, what: string, limitName: string): string {
  if (!plainJson(value, 0)) check(what, value, '', new Set());
  const json = JSON.stringify(value);
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short JSON needs no byte count.
  if (json.length * 3 <= maxBytes) return json;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) {
    throw new InvalidArgumentError(what, `serializes to ${bytes} bytes, over ${limitName} (${maxBytes})`);
  }
  return json;
}
