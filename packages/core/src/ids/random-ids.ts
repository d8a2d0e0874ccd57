import { randomFillSync } from 'node:crypto';

// Random bytes for ids and tokens, from a pool refilled 4 KiB at a time: one randomFillSync costs
// about the same at any size here (~15-25 µs, measured), so small fills dominated id and token
// generation (an eighth of an uncontended lock cycle on loopback Redis).
const POOL_BYTES = 4_096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;
const HEX = '0123456789abcdef';
const HIGH = Uint8Array.from({ length: 256 }, (_, b) => HEX.charCodeAt(b >> 4));
const LOW = Uint8Array.from({ length: 256 }, (_, b) => HEX.charCodeAt(b & 15));
const DASH = 45;

/**
 * A random (version 4) UUID, as crypto.randomUUID gives, built as one flat string: randomUUID
 * concatenates it from pieces (~14 rope nodes, ~560 bytes of garbage per id, a third of all that an
 * enqueue-to-complete cycle of the memory queue allocated) and refills its random cache every 128 ids.
 */
export function newTaskId(): string {
  const b = pool;
  const o = take(16);
  const version = (b[o + 6]! & 0x0f) | 0x40;
  const variant = (b[o + 8]! & 0x3f) | 0x80;
  return String.fromCharCode(
    HIGH[b[o]!]!,
    LOW[b[o]!]!,
    HIGH[b[o + 1]!]!,
    LOW[b[o + 1]!]!,
    HIGH[b[o + 2]!]!,
    LOW[b[o + 2]!]!,
    HIGH[b[o + 3]!]!,
    LOW[b[o + 3]!]!,
    DASH,
    HIGH[b[o + 4]!]!,
    LOW[b[o + 4]!]!,
    HIGH[b[o + 5]!]!,
    LOW[b[o + 5]!]!,
    DASH,
    HIGH[version]!,
    LOW[version]!,
    HIGH[b[o + 7]!]!,
    LOW[b[o + 7]!]!,
    DASH,
    HIGH[variant]!,
    LOW[variant]!,
    HIGH[b[o + 9]!]!,
    LOW[b[o + 9]!]!,
    DASH,
    HIGH[b[o + 10]!]!,
    LOW[b[o + 10]!]!,
    HIGH[b[o + 11]!]!,
    LOW[b[o + 11]!]!,
    HIGH[b[o + 12]!]!,
    LOW[b[o + 12]!]!,
    HIGH[b[o + 13]!]!,
    LOW[b[o + 13]!]!,
    HIGH[b[o + 14]!]!,
    LOW[b[o + 14]!]!,
    HIGH[b[o + 15]!]!,
    LOW[b[o + 15]!]!,
  );
}

// Offset of n fresh bytes in the pool (n divides POOL_BYTES).
function take(n: number): number {
  if (poolOffset === POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += n;
  return at;
}

/** A fresh secret token (lock owners, lease tokens): 128 random bits as 32 hex digits. */
export function newToken(): string {
  const at = take(16);
  return pool.toString('hex', at, at + 16);
}
