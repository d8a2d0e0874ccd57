import { InvalidArgumentError, SerializationError } from '../errors/index.js';

function describe(path: string): string {
  return path === '' ? 'the payload' : `payload${path}`;
}

// JSON.stringify silently drops or rewrites these; refusing them keeps what a worker gets equal to what was sent.
function check(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new SerializationError('payload', `${describe(path)} is ${value}, which JSON cannot carry`);
      return;
    case 'undefined':
      throw new SerializationError('payload', `${describe(path)} is undefined, which JSON cannot carry (use null)`);
    case 'function':
    case 'symbol':
    case 'bigint':
      throw new SerializationError('payload', `${describe(path)} is a ${typeof value}, which JSON cannot carry`);
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new SerializationError('payload', `${describe(path)} is a circular reference`);
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw new SerializationError('payload', `${describe(`${path}[${i}]`)} is a hole in a sparse array`);
          check(value[i], `${path}[${i}]`, seen);
        }
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          const kind = (value as object).constructor?.name ?? 'object';
          throw new SerializationError('payload', `${describe(path)} is a ${kind}, which JSON does not carry faithfully (send a plain object or a string)`);
        }
        if (Object.getOwnPropertySymbols(value).length > 0) {
          throw new SerializationError('payload', `${describe(path)} has symbol keys, which JSON cannot carry`);
        }
        for (const [key, child] of Object.entries(value)) check(child, `${path}.${key}`, seen);
      }
      seen.delete(value);
      return;
    }
  }
}

/**
 * Serializes a payload to JSON, refusing what JSON cannot carry faithfully (undefined, functions,
 * symbols, BigInt, cycles, NaN/Infinity, class instances such as Date or Map) with SerializationError,
 * and payloads over `maxBytes` UTF-8 bytes with InvalidArgumentError.
 */
export function serializePayload(payload: unknown, maxBytes: number): string {
  check(payload, '', new Set());
  const json = JSON.stringify(payload);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) {
    throw new InvalidArgumentError('payload', `serializes to ${bytes} bytes, over maxPayloadBytes (${maxBytes})`);
  }
  return json;
}
