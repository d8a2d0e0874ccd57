import type { ContainerModule } from 'inversify';
import { backendModule, type BackendModuleOptions } from '@baton/core/adapter';
import { MemoryBackend } from './memory-backend.js';
import type { MemoryStore } from './memory-store.js';

/** Options of `memoryBackend()`: core's clock and logger, plus the memory backend's own. */
export interface MemoryModuleOptions extends BackendModuleOptions {
  /** Share state with other containers on purpose (several simulated nodes). @default a new store per backend */
  store?: MemoryStore;
  /** Backoff jitter source, a number in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The ContainerModule of the memory backend: binds TOKENS.Backend to a MemoryBackend (closed when
 * the container unbinds it), TOKENS.LockManager, and TOKENS.Clock / TOKENS.Logger unless bound.
 * Each container gets its own store unless `options.store` is given.
 */
export function memoryBackend(options: MemoryModuleOptions = {}): ContainerModule {
  return backendModule((clock, logger) => new MemoryBackend({ clock, logger, store: options.store, random: options.random }), options);
}
