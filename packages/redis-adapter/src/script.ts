import type { BatonError } from '@baton/core';
import type { Redis } from 'ioredis';

/** A value of ARGV as sent (Redis receives every argument as a string). */
export type ScriptArg = string | number;

/** The variadic tail of a script's ARGV: items of `fields.length` values each, after the named arguments. */
export interface ScriptRest {
  /** Name of the tail, as in the script's header (`-- ARGV[n..] <name> (<fields>): …`). */
  readonly name: string;
  /** The values of one item, in order. */
  readonly fields: readonly string[];
}

/**
 * One Lua script (scripts/<name>.lua), declared once: its KEYS and ARGV by name, in order, and how
 * its reply is read. The script's header lists the same names in the same order, and the script
 * binds each to a local at its top (`local waitKey = KEYS[1]`, `local now = tonumber(ARGV[1])`);
 * script-contract.test.ts holds the two together. Run it with `ScriptRunner.run(script, keys, args)`.
 */
export interface Script<K extends string, A extends string, R> {
  /** The file name without `.lua`. */
  readonly name: string;
  /** KEYS[1..n] by name. */
  readonly keys: readonly K[];
  /** ARGV[1..m] by name. */
  readonly args: readonly A[];
  /** ARGV[m+1..], when the script takes a list of items. */
  readonly rest: ScriptRest | undefined;
  /** True when the script only reads (EVALSHA_RO where supported). */
  readonly readOnly: boolean;
  /** Reads the raw reply; throws BackendDataError on a reply of another shape. */
  readonly decode: (reply: unknown) => R;
  /** The client command it is registered under (defineCommand). */
  readonly command: string;
  /**
   * For a call that failed with BACKEND_DATA (a key of the wrong type): a clearer error when the
   * keys tell why (see firstGenerationError), else undefined. Asked on that failure path only.
   */
  readonly explainDataError: DataErrorExplainer | undefined;
}

/** See Script.explainDataError. */
export type DataErrorExplainer = (client: Redis, keys: Readonly<Record<string, string>>, cause: unknown) => Promise<BatonError | undefined>;

/** What declares a script (see defineScript). */
export interface ScriptSpec<K extends string, A extends string, R> {
  keys: readonly K[];
  args: readonly A[];
  rest?: ScriptRest;
  readOnly?: boolean;
  decode: (reply: unknown) => R;
  explainDataError?: DataErrorExplainer;
}

/** Any declared script, whatever its names and reply. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyScript = Script<string, string, any>;

/**
 * Declares scripts/<name>.lua. Key names are the fields of the key layout the caller passes
 * (QueueKeys, LockKeys, …), so a queue script takes the queue's keys object as it is.
 */
export function defineScript<const K extends string, const A extends string, R>(name: string, spec: ScriptSpec<K, A, R>): Script<K, A, R> {
  return {
    name,
    keys: spec.keys,
    args: spec.args,
    rest: spec.rest,
    readOnly: spec.readOnly === true,
    decode: spec.decode,
    command: `baton_${name}`,
    explainDataError: spec.explainDataError,
  };
}

/**
 * The command arguments of one call: KEYS in declared order, then the named ARGV, then the tail.
 * Throws when the tail is not whole items (a caller's mistake, not the user's).
 */
export function scriptArguments<K extends string, A extends string>(
  script: Script<K, A, unknown>,
  keys: Readonly<Record<K, string>>,
  args: Readonly<Record<A, ScriptArg>>,
  rest?: readonly ScriptArg[],
): ScriptArg[] {
  const names = script.keys;
  const argNames = script.args;
  const tail = rest?.length ?? 0;
  if (tail > 0 && (!script.rest || tail % script.rest.fields.length !== 0)) {
    throw new Error(`script ${script.name}: ${tail} trailing arguments are not whole items of ${script.rest?.fields.join(', ') ?? 'nothing'}`);
  }
  const out = new Array<ScriptArg>(names.length + argNames.length + tail);
  let i = 0;
  for (const name of names) out[i++] = keys[name];
  for (const name of argNames) out[i++] = args[name];
  for (let j = 0; j < tail; j++) out[i++] = rest![j]!;
  return out;
}
