import { defineScript, type Script, type ScriptSpec } from '../script.js';
import { firstGenerationError } from './first-generation-error.js';

/**
 * Declares a script that runs on a queue's keys: a key of the wrong type there is first looked at
 * as a queue the first generation wrote (see firstGenerationError). upgradeQueue, which reads those
 * keys as they are, is declared with defineScript.
 */
export function queueScript<const K extends string, const A extends string, R>(name: string, spec: ScriptSpec<K, A, R>): Script<K, A, R> {
  return defineScript(name, { ...spec, explainDataError: firstGenerationError });
}
