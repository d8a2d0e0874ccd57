export { PostgresBackend, postgresBackend, type PostgresBackendOptions, type PostgresBackendSettings } from './postgres-backend.js';
export type { PostgresConnectionOptions } from './connection/database.js';
export { migrate, type MigrateOptions } from './schema/migrate-command.js';
export type { MigrationResult } from './schema/migrate.js';
export { SCHEMA_VERSION } from './schema/migrations.js';
export { DEFAULT_SCHEMA } from './schema/identifiers.js';
