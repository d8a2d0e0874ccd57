export { RedisBackend, redisBackend, type RedisBackendOptions, type RedisBackendSettings } from './redis-backend.js';
export type { RedisConnectionOptions } from './connections.js';
export type { BackendWarning } from './eviction-policy.js';
export * from './redlock/index.js';
