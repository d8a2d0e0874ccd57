import { InvalidArgumentError } from '@baton/core';
import type { SimulationConfig } from './simulation.js';

/** The environment variable that replays one run: `BATON_SIM_SEED=<seed>[:stop=<steps>][:faults=<i,j,…>]`. */
export const SEED_ENV = 'BATON_SIM_SEED';

/** What a replay spec fixes: the seed, and for a shrunk run its steps and the faults it kept. */
export interface ReplaySpec {
  seed: number;
  stopAfter?: number;
  keepFaults?: number[];
}

/** The spec of a run in the form BATON_SIM_SEED takes. */
export function formatSpec(spec: ReplaySpec): string {
  let text = String(spec.seed);
  if (spec.stopAfter !== undefined) text += `:stop=${spec.stopAfter}`;
  if (spec.keepFaults !== undefined) text += `:faults=${spec.keepFaults.join(',')}`;
  return text;
}

/** Reads a spec written by formatSpec; throws InvalidArgumentError naming BATON_SIM_SEED otherwise. */
export function parseSpec(text: string): ReplaySpec {
  const [seedText, ...parts] = text.trim().split(':');
  const seed = Number(seedText);
  if (!Number.isInteger(seed)) throw new InvalidArgumentError(SEED_ENV, `must start with an integer seed, got "${text}"`);
  const spec: ReplaySpec = { seed };
  for (const part of parts) {
    const [key, value = ''] = part.split('=');
    if (key === 'stop' && /^\d+$/.test(value)) spec.stopAfter = Number(value);
    else if (key === 'faults' && /^(\d+(,\d+)*)?$/.test(value)) spec.keepFaults = value === '' ? [] : value.split(',').map(Number);
    else throw new InvalidArgumentError(SEED_ENV, `has an unknown part "${part}" (expected stop=<n> or faults=<i,j>)`);
  }
  return spec;
}

/** The spec in BATON_SIM_SEED, if set. */
export function specFromEnv(env: NodeJS.ProcessEnv = process.env): ReplaySpec | undefined {
  const text = env[SEED_ENV];
  return text === undefined || text === '' ? undefined : parseSpec(text);
}

/** `config` with the spec's seed, steps and faults. */
export function applySpec<C extends SimulationConfig>(config: Omit<C, 'seed'> & { seed?: number }, spec: ReplaySpec): C {
  const out = { ...config, seed: spec.seed } as C;
  if (spec.stopAfter !== undefined) out.stopAfter = spec.stopAfter;
  if (spec.keepFaults !== undefined) out.keepFaults = spec.keepFaults;
  return out;
}
