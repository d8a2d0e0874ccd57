/** Where Baton writes what it cannot throw (background failures). Compatible with pino and console. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A logger that writes warnings and errors to the console. */
export const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, meta) => console.warn(`[baton] ${message}`, meta ?? ''),
  error: (message, meta) => console.error(`[baton] ${message}`, meta ?? ''),
};
