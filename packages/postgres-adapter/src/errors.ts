import { BackendUnavailableError, isBatonError } from '@baton/core';

/** SQLSTATE classes and codes that mean the server is unreachable or going away, not that the statement is wrong. */
const CONNECTION_STATES = /^(08|53|57P0)/;

/** True when `error` says that the connection or the server failed (worth a reconnect), not the statement. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  if (typeof e.code === 'string' && (CONNECTION_STATES.test(e.code) || e.code.startsWith('E'))) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|not queryable|timeout|ECONNRE|EPIPE/i.test(message);
}

/**
 * Wraps whatever `pg` threw in a BackendUnavailableError naming the server (never the password)
 * and the SQLSTATE; a BatonError passes through unchanged.
 */
export function toBatonError(error: unknown, address: string): Error {
  if (isBatonError(error)) return error as Error;
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? ` (${e.code})` : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return new BackendUnavailableError(`PostgreSQL at ${address} failed${code}: ${message}`, { cause: error });
}
