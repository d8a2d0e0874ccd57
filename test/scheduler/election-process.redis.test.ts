import { describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { killFixtures, startFixture, type Fixture } from './processes.js';
import { uniquePrefix } from './redis-env.js';

const url = inject('redisUrl');
const TTL_MS = 1_000;

type ContenderMessage = { pid: number; at: number; type: 'ready' | 'leader' | 'lost' | 'act'; fence?: number };

describe.skipIf(url === '')('Leader election across processes on Redis', () => {
  it('a leader SIGSTOPped past its TTL is replaced, and when resumed learns it lost before it acts', async () => {
    const prefix = uniquePrefix('elect');
    const contenders: Array<Fixture<ContenderMessage>> = [];
    try {
      for (let i = 0; i < 2; i++) contenders.push(startFixture<ContenderMessage>('contender', [url, prefix, 'primary', String(TTL_MS)]));
      const leads = (c: Fixture<ContenderMessage>): boolean => c.messages.some((m) => m.type === 'leader');
      await eventually(() => contenders.some(leads), { what: 'a first leader', timeoutMs: 30_000 });
      const old = contenders.find(leads)!;
      const other = contenders.find((c) => c !== old)!;
      await eventually(() => other.messages.some((m) => m.type === 'ready'), { what: 'the second contender', timeoutMs: 30_000 });
      await eventually(() => old.messages.filter((m) => m.type === 'act').length >= 5, { what: 'the leader to act', timeoutMs: 5_000 });
      const oldFence = old.messages.find((m) => m.type === 'leader')!.fence!;

      old.child.kill('SIGSTOP');
      const stoppedAt = Date.now();
      await new Promise((r) => setTimeout(r, 100)); // messages already in the pipe arrive
      const beforeResume = old.messages.length;
      await eventually(() => leads(other), { what: 'the other contender to lead', timeoutMs: 5 * TTL_MS });
      const newTerm = other.messages.find((m) => m.type === 'leader')!;
      expect(newTerm.fence!).toBeGreaterThan(oldFence);
      expect(newTerm.at - stoppedAt).toBeGreaterThanOrEqual(0);
      await eventually(() => Date.now() - stoppedAt > 2 * TTL_MS, { what: 'well past the TTL', timeoutMs: 5 * TTL_MS });

      old.child.kill('SIGCONT');
      await eventually(() => old.messages.length > beforeResume, { what: 'the old leader to say something', timeoutMs: 5_000 });
      await new Promise((r) => setTimeout(r, 300)); // give it every chance to act wrongly
      const afterResume = old.messages.slice(beforeResume);
      expect(afterResume[0]).toMatchObject({ type: 'lost', fence: oldFence });
      expect(afterResume.filter((m) => m.type === 'act')).toEqual([]);
      expect(afterResume.filter((m) => m.type === 'leader')).toEqual([]);

      // Fence check: a store that refuses writes with a fence lower than one it has seen accepts
      // every action ever taken, in the order taken; the new leader's actions carry the higher fence.
      const acts = contenders.flatMap((c) => c.messages.filter((m) => m.type === 'act')).sort((a, b) => a.at - b.at);
      let highest = 0;
      const refused = acts.filter((m) => {
        if (m.fence! < highest) return true;
        highest = m.fence!;
        return false;
      });
      expect(refused).toEqual([]);
      expect(other.messages.filter((m) => m.type === 'act').every((m) => m.fence === newTerm.fence)).toBe(true);
      expect(leads(other) && other.messages.some((m) => m.type === 'lost')).toBe(false); // it keeps its term
    } finally {
      await killFixtures();
    }
  }, 60_000);
});
