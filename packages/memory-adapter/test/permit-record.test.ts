import { describe, expect, it } from 'vitest';
import { PermitRecord } from '../src/permit-record.js';

const request = (permits: number, ttlMs = 1_000) => ({ permits, limit: 3, ttlMs, bumpsFence: true });

describe('PermitRecord', () => {
  it('refuses to extend or release a grant that ran out, and gives its permits back', () => {
    const record = new PermitRecord('r');
    expect(record.tryAcquire('a', request(3), false, 0)).toBe(1);
    expect(record.extend('a', 1_000, 999)).toBe(true);
    expect(record.extend('a', 1_000, 1_999)).toBe(false);
    expect(record.release('a', 2_000)).toBe(false);
    expect(record.tryAcquire('b', request(3), false, 2_000)).toBe(2);
  });

  it('permits handed to a waiter that leaves without taking them go to the next one in line', () => {
    const record = new PermitRecord('r');
    record.tryAcquire('holder', request(3), false, 0);
    expect(record.tryAcquire('first', request(2), true, 0)).toBeNull();
    expect(record.tryAcquire('second', request(3), true, 0)).toBeNull();
    expect(record.release('holder', 10)).toBe(true);
    expect(record.inspect(10).holders).toEqual([{ permits: 2, fence: 2, expiresInMs: 1_000 }]);
    record.leave('first', 20);
    expect(record.inspect(20)).toEqual({ limit: 3, holders: [{ permits: 3, fence: 3, expiresInMs: 1_000 }], waiters: [] });
    expect(record.take('second')).toEqual({ fence: 3, grantedAfter: 20 });
  });
});
