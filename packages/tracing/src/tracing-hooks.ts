import type { Instrumentation } from '@baton/core';
import type * as OpenTelemetry from '@opentelemetry/api';
import { ATTEMPT, BATCH_COUNT, DESTINATION_NAME, ENQUEUE_STATUS, MESSAGE_ID, MESSAGING_SYSTEM, NODE_ID, OPERATION_NAME, OPERATION_TYPE } from './attributes.js';

/** Options of `enableTracing` / `tracingHooks`. */
export interface TracingOptions {
  /** Where the tracer comes from. @default the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: OpenTelemetry.TracerProvider;
}

/** The instrumentation scope of Baton's spans. */
export const TRACER_NAME = '@baton/tracing';

/**
 * The instrumentation hooks that make Baton's spans with the given OpenTelemetry API: a PRODUCER
 * span `send <queue>` around each enqueue call, whose context is written into every task's headers
 * (W3C `traceparent`, through the global propagator) when the backend stores headers; and a
 * CONSUMER span `process <queue>` around each handler run, linked to the producer's span and active
 * while the handler runs, so the handler's own spans are its children.
 */
export function tracingHooks(api: typeof OpenTelemetry, options: TracingOptions = {}): Instrumentation {
  const tracer = (): OpenTelemetry.Tracer => (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer(TRACER_NAME);
  const failed = (span: OpenTelemetry.Span, error: unknown): void => {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  };
  return {
    async enqueue(call, next) {
      const attributes: OpenTelemetry.Attributes = {
        [MESSAGING_SYSTEM]: 'baton',
        [DESTINATION_NAME]: call.queue,
        [OPERATION_TYPE]: 'send',
        [OPERATION_NAME]: 'send',
      };
      if (call.tasks.length === 1) attributes[MESSAGE_ID] = call.tasks[0]!.id;
      else attributes[BATCH_COUNT] = call.tasks.length;
      const span = tracer().startSpan(`send ${call.queue}`, { kind: api.SpanKind.PRODUCER, attributes });
      const context = api.trace.setSpan(api.context.active(), span);
      if (call.headersSupported) {
        for (const task of call.tasks) {
          const headers = { ...task.headers };
          api.propagation.inject(context, headers);
          // with no propagator registered nothing is written: leave the task without headers then
          if (Object.keys(headers).length > 0) task.headers = headers;
        }
      }
      try {
        const results = await api.context.with(context, next);
        if (results.length === 1) span.setAttribute(ENQUEUE_STATUS, results[0]!.status);
        return results;
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },

    run(run, next) {
      const headers = run.task.headers;
      const producer = headers === undefined ? undefined : api.trace.getSpanContext(api.propagation.extract(api.ROOT_CONTEXT, headers));
      const span = tracer().startSpan(`process ${run.queue}`, {
        kind: api.SpanKind.CONSUMER,
        links: producer && api.isSpanContextValid(producer) ? [{ context: producer }] : [],
        attributes: {
          [MESSAGING_SYSTEM]: 'baton',
          [DESTINATION_NAME]: run.queue,
          [OPERATION_TYPE]: 'process',
          [OPERATION_NAME]: 'process',
          [MESSAGE_ID]: run.task.id,
          [ATTEMPT]: run.task.attempt,
          [NODE_ID]: run.nodeId,
        },
      });
      return api.context.with(api.trace.setSpan(api.context.active(), span), async () => {
        try {
          return await next();
        } catch (error) {
          failed(span, error);
          throw error;
        } finally {
          span.end();
        }
      });
    },
  };
}
