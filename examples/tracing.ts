import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Scheduler, SystemClock } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { enableTracing } from '@baton/tracing';

// The application's OpenTelemetry setup (usually @opentelemetry/sdk-node with an OTLP exporter).
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const disableTracing = enableTracing(); // once per process
const clock = new SystemClock();
const backend = new MemoryBackend({ clock });
const scheduler = new Scheduler(backend, clock, undefined, { nodeId: 'worker-1' });
scheduler.handle<string>('emails', async () => {
  await trace.getTracer('app').startActiveSpan('send mail', async (span) => span.end()); // a child of "process emails"
});
await scheduler.start();

await trace.getTracer('app').startActiveSpan('POST /signup', async (span) => {
  await backend.queue('emails').enqueue('welcome', { id: 'welcome-1' }); // "send emails", a child of the request
  span.end();
});
await backend.queue('emails').waitFor('welcome-1');
await scheduler.stop();

const spans = exporter.getFinishedSpans();
const byId = new Map(spans.map((s) => [s.spanContext().spanId, s.name]));
for (const span of spans) {
  const parent = byId.get(span.parentSpanContext?.spanId ?? '') ?? '-';
  const links = span.links.map((l) => byId.get(l.context.spanId)).join(', ') || '-';
  console.log(`${span.name} (parent: ${parent}, links: ${links})`);
}
disableTracing();
await backend.close();
await provider.shutdown();
