import type { TestProject } from 'vitest/node';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the redis-server the tier's setup started (or REDIS_URL); '' when Redis tests must skip. */
    redisUrl: string;
  }
}

let server: RedisServerHandle | undefined;

/**
 * Starts one redis-server on a free loopback port for the test tier (vitest project) that lists this
 * file, and stops it at teardown; vitest runs it only when the tier has tests in the run, so a run
 * of the unit tier starts no server. REDIS_URL overrides it. Without redis-server on PATH the Redis
 * tests skip with a warning, except under CI=true, where the run fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return async () => undefined;
  }
  try {
    server = await startRedisServer();
    project.provide('redisUrl', server.url);
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`CI=true and redis-server could not be started: ${String(error)}`, { cause: error });
    console.warn(`\n*** redis-server could not be started (${String(error)}); Redis tests will be SKIPPED ***\n`);
    project.provide('redisUrl', '');
  }
  return async () => {
    await server?.stop();
  };
}
