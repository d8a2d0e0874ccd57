import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Scheduler, silentLogger, SystemClock } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { enableTracing } from '../src/index.js';

const url = inject('redisUrl');
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let disable: () => void = () => undefined;

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  disable = enableTracing();
});
afterAll(async () => {
  disable();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

describe.skipIf(url === '')(`@baton/tracing on Redis${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  it('the process span on one backend links to the send span of another, through the headers stored in Redis', async () => {
    const prefix = `t-tracing-${process.pid}`;
    const producer = new RedisBackend({ url, prefix });
    const worker = new RedisBackend({ url, prefix });
    const scheduler = new Scheduler(worker, new SystemClock(), silentLogger, { nodeId: 'worker-1' });
    try {
      const ran = new Promise<string | undefined>((resolve) =>
        scheduler.handle('emails', async (_task) => resolve(trace.getActiveSpan()?.spanContext().spanId)),
      );
      await scheduler.start();
      await producer.queue('emails').enqueue('hello', { id: 'e-1' });
      const activeInHandler = await ran;
      await scheduler.stop();
      const send = exporter.getFinishedSpans().find((s) => s.name === 'send emails')!;
      const processed = exporter.getFinishedSpans().find((s) => s.name === 'process emails')!;
      expect(processed.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
      expect(activeInHandler).toBe(processed.spanContext().spanId);
    } finally {
      await scheduler.stop();
      await Promise.all([producer.close(), worker.close()]);
    }
  });
});
