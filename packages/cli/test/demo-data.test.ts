import { ManualClock } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { describe, expect, it } from 'vitest';
import { seedDemo } from '../src/index.js';

describe('the memory: demo', () => {
  it('keeps its lock held, its election led and its nodes listed long past their TTLs', async () => {
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock });
    try {
      await seedDemo(backend);
      // a dashboard left open for ten minutes: every TTL of the demo (60 s) ran out ten times over
      await clock.advance(10 * 60_000);
      const locks = backend.locks();
      expect((await locks.inspect('nightly-report')).holder).toMatchObject({ fence: 1 });
      expect((await locks.inspect('election:scheduler')).holder).toMatchObject({ fence: 1 });
      expect((await backend.registry('baton').list()).map((n) => n.id)).toEqual(['node-1', 'node-2']);
    } finally {
      await backend.close();
    }
  });
});
