import { Cluster, type Redis } from 'ioredis';
import { bulk, EncodedCall, evalshaHead } from './encoded-call.js';
import { toBatonError } from './reply-codes.js';
import { scriptArguments, type AnyScript, type Script, type ScriptArg } from './script.js';
import { scriptSha, scriptSource } from './script-loader.js';

type Command = (...args: ScriptArg[]) => Promise<unknown>;

/** A script call prepared once and run any number of times (see ScriptRunner.prepare). */
export interface PreparedCall<R> {
  /** Sends the call; resolves its decoded reply. */
  run(): Promise<R>;
}

/**
 * Runs the declared scripts and plain commands of one backend: waits for the first connection,
 * then maps every failure to a BatonError (see toBatonError).
 *
 * On a single Redis (not a Cluster, no auto-pipelining) a script call is sent as one EVALSHA
 * written out by this runner (see EncodedCall), the keys part of each script and key layout
 * written once; a NOSCRIPT reply (the server lost its scripts: a restart, SCRIPT FLUSH) sends
 * that call again through the client's registered command, which loads the script with EVAL.
 */
export class ScriptRunner {
  private readonly encoded: boolean;
  private known = false;
  /** The "<evalsha head><keys>" text of each script, per frozen key layout object (a queue's keys: one object for its lifetime). */
  private readonly heads = new WeakMap<object, Map<AnyScript, string>>();

  constructor(
    private readonly client: Redis,
    private readonly address: string,
    private readonly ready: () => Promise<void>,
  ) {
    const unknownClient = client as unknown;
    this.encoded = !(unknownClient instanceof Cluster) && client.options.enableAutoPipelining !== true;
  }

  /**
   * Runs `script` with its KEYS and ARGV given by name (`keys` may be a whole key layout object,
   * e.g. a queue's QueueKeys) and `rest` as its trailing items; resolves its decoded reply.
   */
  run<K extends string, A extends string, R>(
    script: Script<K, A, R>,
    keys: Readonly<Record<K, string>>,
    args: Readonly<Record<A, ScriptArg>>,
    rest?: readonly ScriptArg[],
  ): Promise<R> {
    if (!this.encoded || !this.known) return this.runDefined(script, keys, args, rest);
    return this.send(script, keys, this.request(script, keys, args, rest), () => this.runDefined(script, keys, args, rest));
  }

  // Sends a written-out request; a NOSCRIPT reply goes through the registered command (`again`).
  private send<R>(script: Script<string, string, R>, keys: Readonly<Record<string, string>>, request: string, again: () => Promise<R>): Promise<R> {
    const call = new EncodedCall(request);
    void this.client.sendCommand(call);
    return (call.promise as Promise<unknown>).then(script.decode, (error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return again();
      return this.failed(error, script, keys);
    });
  }

  /**
   * A call of `script` to send again and again unchanged (the safety net's question about the same
   * waiting queues every few seconds): its request is written out once, on the first send.
   */
  prepare<K extends string, A extends string, R>(
    script: Script<K, A, R>,
    keys: Readonly<Record<K, string>>,
    args: Readonly<Record<A, ScriptArg>>,
    rest?: readonly ScriptArg[],
  ): PreparedCall<R> {
    let request: string | undefined;
    return {
      run: () => {
        if (!this.encoded || !this.known) return this.runDefined(script, keys, args, rest);
        request ??= this.request(script, keys, args, rest);
        return this.send(script, keys, request, () => this.runDefined(script, keys, args, rest));
      },
    };
  }

  // A key of the wrong type: the script's explainer (see Script.explainDataError) may say why, at
  // the cost of one more round trip on this failure path only.
  private async failed(error: unknown, script: AnyScript, keys: Readonly<Record<string, string>>): Promise<never> {
    const mapped = toBatonError(error, this.address);
    if (mapped.code === 'BACKEND_DATA' && script.explainDataError) throw (await script.explainDataError(this.client, keys, error)) ?? mapped;
    throw mapped;
  }

  /** Runs any client call with the same readiness check and error mapping. */
  async call<R>(fn: (client: Redis) => Promise<R>): Promise<R> {
    if (!this.known) {
      await this.ready();
      this.known = true;
    }
    try {
      return await fn(this.client);
    } catch (error) {
      throw toBatonError(error, this.address);
    }
  }

  // Through the client's registered command (EVALSHA, or EVAL when the script is not loaded).
  private async runDefined<K extends string, A extends string, R>(
    script: Script<K, A, R>,
    keys: Readonly<Record<K, string>>,
    args: Readonly<Record<A, ScriptArg>>,
    rest?: readonly ScriptArg[],
  ): Promise<R> {
    const argv = scriptArguments(script, keys, args, rest);
    let reply: unknown;
    try {
      reply = await this.call((client) => {
        const command = (client as unknown as Record<string, Command | undefined>)[script.command];
        if (!command) throw new Error(`script ${script.name} is not registered on this client`);
        return command.apply(client, argv);
      });
    } catch (error) {
      return this.failed(error, script, keys);
    }
    return script.decode(reply);
  }

  // The EVALSHA request of one call, as scriptArguments orders it.
  private request<K extends string, A extends string>(
    script: Script<K, A, unknown>,
    keys: Readonly<Record<K, string>>,
    args: Readonly<Record<A, ScriptArg>>,
    rest: readonly ScriptArg[] | undefined,
  ): string {
    const tail = rest?.length ?? 0;
    if (tail > 0 && (!script.rest || tail % script.rest.fields.length !== 0)) scriptArguments(script, keys, args, rest);
    let request = `*${3 + script.keys.length + script.args.length + tail}\r\n${this.head(script, keys)}`;
    for (const name of script.args) request += bulk(args[name]);
    for (let i = 0; i < tail; i++) request += bulk(rest![i]!);
    return request;
  }

  // A frozen keys object is kept by its owner (a queue's), so its text is worth keeping; the keys of
  // a lock are built per call, and keeping their text would only feed the garbage collector.
  private head<K extends string>(script: Script<K, string, unknown>, keys: Readonly<Record<K, string>>): string {
    if (!Object.isFrozen(keys)) return this.writeHead(script, keys);
    let perScript = this.heads.get(keys);
    if (!perScript) {
      perScript = new Map();
      this.heads.set(keys, perScript);
    }
    let head = perScript.get(script);
    if (head === undefined) {
      head = this.writeHead(script, keys);
      perScript.set(script, head);
    }
    return head;
  }

  private writeHead<K extends string>(script: Script<K, string, unknown>, keys: Readonly<Record<K, string>>): string {
    let head = evalshaHead(scriptSha(script), script.keys.length);
    for (const name of script.keys) head += bulk(keys[name]);
    return head;
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
