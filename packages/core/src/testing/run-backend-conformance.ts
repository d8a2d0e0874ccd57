import { describe } from 'vitest';
import { ALL_CAPABILITIES, useHarness, type BackendFactory, type ConformanceCapabilities, type ConformanceOptions } from './harness.js';
import { cancelConformance } from './cancel-conformance.js';
import { eventsConformance } from './events-conformance.js';
import { fairnessConformance } from './fairness-conformance.js';
import { headersConformance } from './headers-conformance.js';
import { inspectionConformance } from './inspection-conformance.js';
import { pauseConformance } from './pause-conformance.js';
import { retainDeadConformance } from './retain-dead-conformance.js';
import { progressConformance } from './progress-conformance.js';
import { resultsConformance } from './results-conformance.js';
import { prioritiesConformance } from './priorities-conformance.js';
import { inputConformance } from './input-conformance.js';
import { limitsConformance } from './limits-conformance.js';
import { lifecycleConformance } from './lifecycle-conformance.js';
import { lockConformance } from './lock-conformance.js';
import { lockInspectionConformance } from './lock-inspection-conformance.js';
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
  const caps: ConformanceCapabilities = { ...ALL_CAPABILITIES, ...options.capabilities };
  const part = options.part ?? 'all';
  const label = part === 'all' ? '' : `, ${part}`;
  describe(`backend conformance: ${name} (${options.time} time${label})`, () => {
    const h = useHarness(makeBackend, options);
    if (part !== 'coordination') {
      queueBasicsConformance(h);
      queueLifecycleConformance(h);
      prioritiesConformance(h, caps);
      headersConformance(h, caps);
      resultsConformance(h, caps);
      eventsConformance(h, caps);
      progressConformance(h, caps);
      cancelConformance(h, caps);
      inspectionConformance(h, caps);
      pauseConformance(h, caps);
      retainDeadConformance(h, caps);
      limitsConformance(h, caps);
      fairnessConformance(h);
    }
    if (part !== 'queue') {
      registryConformance(h, caps);
      lockConformance(h, caps);
      lockInspectionConformance(h, caps);
      semaphoreConformance(h, caps);
      rwlockConformance(h, caps);
      inputConformance(h);
      lifecycleConformance(h);
    }
  });
}
