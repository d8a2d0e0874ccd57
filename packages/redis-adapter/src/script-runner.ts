import type { Redis } from 'ioredis';
import { toBatonError } from './reply-codes.js';
import { scriptArguments, type Script, type ScriptArg } from './script.js';
import { scriptSource } from './script-loader.js';

type Command = (...args: ScriptArg[]) => Promise<unknown>;

/**
 * Runs the declared scripts and plain commands of one backend: waits for the first connection,
 * then maps every failure to a BatonError (see toBatonError).
 */
export class ScriptRunner {
  constructor(
    private readonly client: Redis,
    private readonly address: string,
    private readonly ready: () => Promise<void>,
  ) {}

  /**
   * Runs `script` with its KEYS and ARGV given by name (`keys` may be a whole key layout object,
   * e.g. a queue's QueueKeys) and `rest` as its trailing items; resolves its decoded reply.
   */
  async run<K extends string, A extends string, R>(
    script: Script<K, A, R>,
    keys: Readonly<Record<K, string>>,
    args: Readonly<Record<A, ScriptArg>>,
    rest?: readonly ScriptArg[],
  ): Promise<R> {
    const argv = scriptArguments(script, keys, args, rest);
    const reply = await this.call((client) => {
      const command = (client as unknown as Record<string, Command | undefined>)[script.command];
      if (!command) throw new Error(`script ${script.name} is not registered on this client`);
      return command.apply(client, argv);
    });
    return script.decode(reply);
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

/**
 * Runs `script` once with EVAL on any client (no registration), for tools and tests that play
 * another process; resolves the raw reply.
 */
export function evalScript<K extends string, A extends string>(
  client: Redis,
  script: Script<K, A, unknown>,
  keys: Readonly<Record<K, string>>,
  args: Readonly<Record<A, ScriptArg>>,
  rest?: readonly ScriptArg[],
): Promise<unknown> {
  return client.eval(scriptSource(script), script.keys.length, ...scriptArguments(script, keys, args, rest));
}
