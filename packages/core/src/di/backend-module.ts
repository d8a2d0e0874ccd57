import { ContainerModule } from 'inversify';
import { SystemClock, type Clock } from '../clock/index.js';
import type { Backend, LockManager } from '../interfaces/index.js';
import { consoleLogger, type Logger } from '../interfaces/logger.js';
import { TOKENS } from './tokens.js';

/** What every adapter's module factory accepts besides its own settings. */
export interface BackendModuleOptions {
  /** The clock for the backend and the scheduler. @default new SystemClock() (unless TOKENS.Clock is already bound) */
  clock?: Clock;
  /** Where background failures are logged. @default consoleLogger (unless TOKENS.Logger is already bound) */
  logger?: Logger;
}

/**
 * Builds the ContainerModule an adapter exports: binds TOKENS.Backend (a singleton made by
 * `create` with the container's Clock and Logger, closed when the container unbinds it),
 * TOKENS.LockManager (the backend's locks), and TOKENS.Clock / TOKENS.Logger unless already bound.
 */
export function backendModule(create: (clock: Clock, logger: Logger) => Backend, options: BackendModuleOptions = {}): ContainerModule {
  return new ContainerModule(({ bind, isBound, onDeactivation }) => {
    if (options.clock || !isBound(TOKENS.Clock)) bind<Clock>(TOKENS.Clock).toConstantValue(options.clock ?? new SystemClock());
    if (options.logger || !isBound(TOKENS.Logger)) bind<Logger>(TOKENS.Logger).toConstantValue(options.logger ?? consoleLogger);
    bind<Backend>(TOKENS.Backend)
      .toResolvedValue((clock: Clock, logger: Logger) => create(clock, logger), [TOKENS.Clock, TOKENS.Logger])
      .inSingletonScope();
    onDeactivation<Backend>(TOKENS.Backend, (backend) => backend.close());
    if (!isBound(TOKENS.LockManager)) {
      bind<LockManager>(TOKENS.LockManager)
        .toResolvedValue((backend: Backend) => backend.locks(), [TOKENS.Backend])
        .inSingletonScope();
    }
  });
}
