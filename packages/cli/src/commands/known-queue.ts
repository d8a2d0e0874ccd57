import { isBatonError, type Queue } from '@baton/core';
import { NotFoundError } from '../cli-error.js';
import type { CommandContext } from '../command.js';

/**
 * A handle on queue `name`, after checking that the backend knows it (exit 1 with the known names
 * otherwise), so a typo is reported instead of showing an empty queue. On a backend without the
 * `inspection` capability the check is skipped unless `required`, and the command goes on.
 */
export async function knownQueue(ctx: CommandContext, name: string, required = false): Promise<Queue> {
  const backend = await ctx.backend();
  const names = required ? await backend.queues() : await queueNames(backend);
  if (names !== undefined && !names.includes(name)) {
    const known = names.length === 0 ? 'none' : names.join(', ');
    throw new NotFoundError(`unknown queue "${name}" (known queues: ${known})`);
  }
  return backend.queue(name);
}

/** The names of the backend's known queues, or undefined when it cannot list them (no `inspection`). */
export async function queueNames(backend: { queues(): Promise<string[]> }): Promise<string[] | undefined> {
  try {
    return await backend.queues();
  } catch (error) {
    if (isBatonError(error, 'NOT_SUPPORTED')) return undefined;
    throw error;
  }
}
