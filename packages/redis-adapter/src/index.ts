export { RedisBackend, redisBackend, type RedisBackendOptions, type RedisBackendSettings } from './redis-backend.js';
export type { RedisConnectionOptions } from './connections.js';
export type { BackendWarning } from './eviction-policy.js';
export type { QueueUpgrade, UpgradeQueuesOptions } from './queue/queue-upgrade.js';
export * from './redlock/index.js';
