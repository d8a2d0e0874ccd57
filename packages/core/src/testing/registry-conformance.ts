import { describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../interfaces/index.js';
import type { ConformanceCapabilities, Harness } from './harness.js';

/** Registration, heartbeats, expiry of silent nodes, deregistration and watch events. */
export function registryConformance(h: Harness, caps: ConformanceCapabilities): void {
  describe('registry', () => {
    it('a registered node is listed with its meta and times; list is sorted by id', async () => {
      const r = (await h.backend()).registry('nodes');
      const before = h.clock.now();
      const reg = await r.register({ id: 'node-b', meta: { host: 'h1', pid: 12, leader: false } }, { ttlMs: 5 * h.unit });
      await r.register({ id: 'node-a' }, { ttlMs: 5 * h.unit });
      expect(reg.node).toMatchObject({ id: 'node-b', meta: { host: 'h1', pid: 12, leader: false } });
      const listed = await r.list();
      expect(listed.map((n) => n.id)).toEqual(['node-a', 'node-b']);
      expect(listed[1]!.meta).toEqual({ host: 'h1', pid: 12, leader: false });
      expect(listed[1]!.registeredAt).toBeGreaterThanOrEqual(before);
      expect(listed[1]!.lastSeen).toBeGreaterThanOrEqual(listed[1]!.registeredAt);
    });

    it('heartbeats keep a node listed well past its TTL', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      await b1.registry('beats').register({ id: 'alive' }, { ttlMs: 3 * h.unit });
      for (let i = 0; i < 4; i++) {
        await h.advance(2 * h.unit);
        expect((await b2.registry('beats').list()).map((n) => n.id)).toEqual(['alive']);
      }
      const [record] = await b2.registry('beats').list();
      expect(record!.lastSeen).toBeGreaterThan(record!.registeredAt);
    });

    it('a node not heard from within its TTL leaves list()', async () => {
      const [crashing, observer] = [await h.backend(), await h.backend()];
      await crashing.registry('crash').register({ id: 'doomed' }, { ttlMs: 3 * h.unit });
      await observer.registry('crash').register({ id: 'survivor' }, { ttlMs: 3 * h.unit });
      await crashing.close(); // stops heartbeats without deregistering, as a crash would
      await h.advance(h.unit);
      expect((await observer.registry('crash').list()).map((n) => n.id)).toEqual(['doomed', 'survivor']);
      await h.advance(4 * h.unit);
      expect((await observer.registry('crash').list()).map((n) => n.id)).toEqual(['survivor']);
    });

    it('deregister removes a node and says whether it was live; disposing a registration deregisters it', async () => {
      const r = (await h.backend()).registry('leave');
      const reg = await r.register({ id: 'n1' }, { ttlMs: 5 * h.unit });
      await r.register({ id: 'n2' }, { ttlMs: 5 * h.unit });
      expect(await r.deregister('n2')).toBe(true);
      expect(await r.deregister('n2')).toBe(false);
      await reg[Symbol.asyncDispose]();
      expect(await r.list()).toEqual([]);
      await reg.deregister();
      await h.advance(10 * h.unit);
      expect(await r.list()).toEqual([]);
    });

    it('registering again updates the meta instead of adding a second node', async () => {
      const r = (await h.backend()).registry('again');
      await r.register({ id: 'same', meta: { v: 1 } }, { ttlMs: 5 * h.unit });
      await r.register({ id: 'same', meta: { v: 2 } }, { ttlMs: 5 * h.unit });
      const list = await r.list();
      expect(list).toHaveLength(1);
      expect(list[0]!.meta).toEqual({ v: 2 });
    });

    it('groups are independent', async () => {
      const b = await h.backend();
      await b.registry('g1').register({ id: 'x' }, { ttlMs: 5 * h.unit });
      expect(await b.registry('g2').list()).toEqual([]);
    });
  });

  describe.skipIf(!caps.registryWatch)(`registry: watch${caps.registryWatch ? '' : ' (skipped: backend declares no registryWatch)'}`, () => {
    it('watchers on other nodes see join, deregister and silent expiry as events', async () => {
      const [watching, joining, crashing] = [await h.backend(), await h.backend(), await h.backend()];
      const events: string[] = [];
      const stop = watching.registry('watched').watch((e: RegistryEvent) => events.push(`${e.type}:${e.node.id}`));
      await h.advance(Math.floor(h.unit / 2));
      const reg = await joining.registry('watched').register({ id: 'polite' }, { ttlMs: 3 * h.unit });
      await crashing.registry('watched').register({ id: 'silent' }, { ttlMs: 3 * h.unit });
      await h.eventually(() => expect(events).toEqual(expect.arrayContaining(['join:polite', 'join:silent'])), 3 * h.unit);
      await reg.deregister();
      await h.eventually(() => expect(events).toContain('leave:polite'), 3 * h.unit);
      await crashing.close();
      await h.eventually(() => expect(events).toContain('leave:silent'), 8 * h.unit);
      stop();
      const seen = events.length;
      await joining.registry('watched').register({ id: 'late' }, { ttlMs: 3 * h.unit });
      await h.advance(2 * h.unit);
      expect(events).toHaveLength(seen);
      expect(events.filter((e) => e === 'leave:silent')).toHaveLength(1);
    });
  });
}
