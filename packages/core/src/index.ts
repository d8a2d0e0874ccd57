export * from './errors/index.js';
export * from './clock/index.js';
export * from './interfaces/index.js';
export * from './validation/index.js';
export * from './queue/index.js';
export * from './locks/index.js';
export * from './registry/index.js';
export * from './di/index.js';
