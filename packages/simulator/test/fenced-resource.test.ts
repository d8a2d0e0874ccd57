import { describe, expect, it } from 'vitest';
import { FencedResource, History, StaleFenceError } from '@baton/simulator';

describe('FencedResource', () => {
  it('refuses a write with an older fence and accepts newer ones', () => {
    const history = new History(() => 0);
    const resource = new FencedResource('account', history);
    resource.write(3, 'a');
    resource.write(4, 'b');
    expect(() => resource.write(3, 'a')).toThrow(StaleFenceError);
    expect(resource.writes).toEqual(['a@3', 'b@4']);
    expect(history.flaggedFor('one-lock-holder')).toBeUndefined();
  });

  it('flags two holders writing with one fence: the lock had two holders at once', () => {
    const history = new History(() => 0);
    const resource = new FencedResource('account', history);
    resource.write(5, 'node-1/0/1');
    resource.write(5, 'node-2/0/1');
    expect(history.flaggedFor('one-lock-holder')?.message).toBe('account saw node-1/0/1 and node-2/0/1 both write with fence 5');
  });
});
