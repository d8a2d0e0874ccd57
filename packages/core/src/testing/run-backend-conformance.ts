import { describe } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
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
  const [index, count] = shardOf(options.shard);
  const label = `${part === 'all' ? '' : `, ${part}`}${count === 1 ? '' : ` ${index}/${count}`}`;
  describe(`backend conformance: ${name} (${options.time} time${label})`, () => {
    const h = useHarness(makeBackend, options);
    const queue = [
      () => queueBasicsConformance(h),
      () => queueLifecycleConformance(h),
      () => prioritiesConformance(h, caps),
      () => headersConformance(h, caps),
      () => resultsConformance(h, caps),
      () => eventsConformance(h, caps),
      () => progressConformance(h, caps),
      () => cancelConformance(h, caps),
      () => inspectionConformance(h, caps),
      () => pauseConformance(h, caps),
      () => retainDeadConformance(h, caps),
      () => limitsConformance(h, caps),
      () => fairnessConformance(h),
    ];
    const coordination = [
      () => registryConformance(h, caps),
      () => lockConformance(h, caps),
      () => lockInspectionConformance(h, caps),
      () => semaphoreConformance(h, caps),
      () => rwlockConformance(h, caps),
      () => inputConformance(h),
      () => lifecycleConformance(h),
    ];
    const sections = [...(part !== 'coordination' ? queue : []), ...(part !== 'queue' ? coordination : [])];
    // Dealt out in turn, so each shard gets a mix of slow and quick sections.
    sections.forEach((section, i) => {
      if (i % count === index - 1) section();
    });
  });
}

/** `[index, count]` of a `shard` option, checked. */
function shardOf(shard: ConformanceOptions['shard']): [number, number] {
  if (shard === undefined) return [1, 1];
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 1 || index > count) {
    throw new InvalidArgumentError('options.shard', `must be { index, count } with 1 <= index <= count, got ${JSON.stringify(shard)}`);
  }
  return [index, count];
}
