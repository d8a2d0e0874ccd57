import type { Redis } from 'ioredis';
import { commandName, type ScriptName } from './script-loader.js';
import { toBatonError } from './reply-codes.js';

type ScriptArg = string | number;

/**
 * Runs the registered scripts and plain commands of one backend: waits for the first connection,
 * then maps every failure to a BatonError (see toBatonError).
 */
export class ScriptRunner {
  constructor(
    private readonly client: Redis,
    private readonly address: string,
    private readonly ready: () => Promise<void>,
  ) {}

  /** Runs script `name` with its KEYS and ARGV; resolves its raw reply. */
  async run(name: ScriptName, keys: string[], args: ScriptArg[]): Promise<unknown> {
    return this.call(() => {
      const fn = (this.client as unknown as Record<string, (...a: ScriptArg[]) => Promise<unknown>>)[commandName(name)];
      if (!fn) throw new Error(`script ${name} is not registered on this client`);
      return fn.call(this.client, ...keys, ...args);
    });
  }

  /** Runs any client call with the same readiness check and error mapping. */
  async call<R>(fn: (client: Redis) => Promise<R>): Promise<R> {
    await this.ready();
    try {
      return await fn(this.client);
    } catch (error) {
      throw toBatonError(error, this.address);
    }
  }
}
