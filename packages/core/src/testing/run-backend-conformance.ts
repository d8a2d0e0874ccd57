import { describe } from 'vitest';
import { useHarness, type BackendFactory, type ConformanceCapabilities, type ConformanceOptions } from './harness.js';
import { inputConformance } from './input-conformance.js';
import { lifecycleConformance } from './lifecycle-conformance.js';
import { lockConformance } from './lock-conformance.js';
import { queueBasicsConformance } from './queue-basics-conformance.js';
import { queueLifecycleConformance } from './queue-lifecycle-conformance.js';
import { registryConformance } from './registry-conformance.js';
import { rwlockConformance } from './rwlock-conformance.js';
import { semaphoreConformance } from './semaphore-conformance.js';

/**
 * The contract every Backend is held to, as a vitest suite. Call it from a test file:
 *
 *   runBackendConformance('memory', ({ clock, namespace }) => new MemoryBackend({ clock, store: storeFor(namespace) }), { time: 'manual' });
 *
 * `makeBackend` is called one or more times per test; calls with the same `namespace` must share
 * state (they stand for several nodes). The suite closes every backend it made after each test.
 */
export function runBackendConformance(name: string, makeBackend: BackendFactory, options: ConformanceOptions): void {
  const caps: ConformanceCapabilities = {
    fairLockWaiters: true,
    registryWatch: true,
    semaphores: true,
    fairSemaphoreWaiters: true,
    rwlocks: true,
    fairRwLockWaiters: true,
    ...options.capabilities,
  };
  describe(`backend conformance: ${name} (${options.time} time)`, () => {
    const h = useHarness(makeBackend, options);
    queueBasicsConformance(h);
    queueLifecycleConformance(h);
    registryConformance(h, caps);
    lockConformance(h, caps);
    semaphoreConformance(h, caps);
    rwlockConformance(h, caps);
    inputConformance(h);
    lifecycleConformance(h);
  });
}
