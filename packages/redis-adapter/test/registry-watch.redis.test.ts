import type { RegistryEvent } from '@baton/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../../test/setup/eventually.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

describe.skipIf(url === '')(`redis registry watch${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a watcher whose subscriber connection dropped reports the joins and leaves it missed, once', async () => {
    const prefix = uniquePrefix('rewatch');
    const name = prefix.replace(/-/g, '_');
    const watching = r.backend(url, { prefix, connectionName: name });
    const registry = r.backend(url, { prefix }).registry('g');
    const leaving = await registry.register({ id: 'leaving' }, { ttlMs: 10_000 });
    const events: string[] = [];
    watching.registry('g').watch((e: RegistryEvent) => events.push(`${e.type}:${e.node.id}`));
    const raw = r.raw(url);
    const subscriberId = async (): Promise<string | undefined> =>
      /id=(\d+) /.exec(
        String(await raw.client('LIST'))
          .split('\n')
          .find((line) => line.includes(`name=${name} `) && / sub=[1-9]/.test(line)) ?? '',
      )?.[1];
    let id: string | undefined;
    await eventually(async () => (id = await subscriberId()) !== undefined, { what: "the watcher's subscription", timeoutMs: 5_000 });
    // the watch has read the members once events flow
    await sleep(200);
    // Both changes are made before the subscriber is back (ioredis waits 50 ms before its first
    // reconnect): their messages reach nobody, and only the catch-up after the reconnect can tell.
    await raw.client('KILL', 'ID', id!);
    await registry.register({ id: 'joining' }, { ttlMs: 10_000 });
    await leaving.deregister();
    await eventually(() => events.includes('join:joining') && events.includes('leave:leaving'), {
      what: 'the missed join and leave, made up after the reconnect',
      timeoutMs: 5_000,
    });
    await sleep(200);
    expect(events.filter((e) => e.endsWith(':joining') || e.endsWith(':leaving')).sort()).toEqual(['join:joining', 'leave:leaving']);
    expect(await subscriberId()).not.toBe(id);
  });
});
