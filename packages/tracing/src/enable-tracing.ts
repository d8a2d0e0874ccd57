import { createRequire } from 'node:module';
import { instrument } from '@baton/core';
import type * as OpenTelemetry from '@opentelemetry/api';
import { tracingHooks, type TracingOptions } from './tracing-hooks.js';

/**
 * Turns on Baton's OpenTelemetry spans in this process (see tracingHooks) and returns a function
 * that turns them off. `@opentelemetry/api` is an optional peer dependency: without it installed
 * this does nothing (and returns a function that does nothing). Spans are recorded only once an
 * OpenTelemetry SDK is registered, as with any instrumented library.
 */
export function enableTracing(options: TracingOptions = {}): () => void {
  const api = loadApi();
  return api ? instrument(tracingHooks(api, options)) : () => undefined;
}

// The API keeps its registrations (tracer provider, propagator, context manager) on globalThis, so
// this copy sees the SDK that the application registered through whichever copy it imports.
function loadApi(): typeof OpenTelemetry | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as typeof OpenTelemetry;
  } catch {
    return undefined;
  }
}
