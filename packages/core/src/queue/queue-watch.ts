import { InvalidArgumentError } from '../errors/index.js';
import { QUEUE_EVENT_TYPES, type QueueEvent, type QueueEventType, type QueueWatch, type WaitOptions, type WatchOptions } from '../interfaces/index.js';
import type { Logger } from '../interfaces/logger.js';
import { assertOptionsObject, nonNegativeIntOr } from '../validation/index.js';
import type { QueueStore } from './queue-store.js';

/** Checks `waitFor` options: InvalidArgumentError naming the option. */
export function checkWaitOptions(options: WaitOptions | undefined): { timeoutMs: number | undefined; signal: AbortSignal | undefined } {
  assertOptionsObject('options', options);
  const timeoutMs = options?.timeoutMs === undefined ? undefined : nonNegativeIntOr('options.timeoutMs', options.timeoutMs, 0);
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError('options.signal', 'must be an AbortSignal when given');
  return { timeoutMs, signal };
}

/**
 * Queue.watch over a store's subscription: checks the arguments, keeps a throwing listener from
 * reaching the store (it is logged), and returns the unsubscribe function with `ready`.
 */
export function watchQueue(
  subscribe: NonNullable<QueueStore['watch']>,
  listener: (event: QueueEvent) => void,
  options: WatchOptions | undefined,
  logger: Logger,
): QueueWatch {
  if (typeof listener !== 'function') throw new InvalidArgumentError('listener', 'must be a function');
  assertOptionsObject('options', options);
  let types: Set<QueueEventType> | undefined;
  if (options?.types !== undefined) {
    if (!Array.isArray(options.types)) throw new InvalidArgumentError('options.types', 'must be an array of event types when given');
    types = new Set();
    for (const type of options.types) {
      if (!QUEUE_EVENT_TYPES.includes(type))
        throw new InvalidArgumentError('options.types', `"${String(type)}" is not an event type (${QUEUE_EVENT_TYPES.join(', ')})`);
      types.add(type);
    }
  }
  const subscription = subscribe((event) => {
    try {
      listener(event);
    } catch (error) {
      logger.error('a queue watch listener threw', { queue: event.queue, event: event.type, error: String(error) });
    }
  }, types);
  const unsubscribe = (() => subscription.close()) as QueueWatch;
  Object.defineProperty(unsubscribe, 'ready', { value: subscription.ready, enumerable: true });
  return unsubscribe;
}
