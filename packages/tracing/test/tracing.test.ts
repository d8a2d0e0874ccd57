import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ManualClock, Scheduler, silentLogger, type Task } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';
import { enableTracing } from '../src/index.js';
import { installSdk } from './otel-sdk.js';

const sdk = installSdk();
const exporter = sdk.exporter;
afterAll(() => sdk.uninstall());

describe('@baton/tracing (memory, OpenTelemetry SDK with an in-memory exporter)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    exporter.reset();
  });

  function setup(): { clock: ManualClock; producer: MemoryBackend; scheduler: Scheduler; disable: () => void } {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const producer = new MemoryBackend({ clock, store, logger: silentLogger });
    const worker = new MemoryBackend({ clock, store, logger: silentLogger });
    const scheduler = new Scheduler(worker, clock, silentLogger, { nodeId: 'worker-1', idleWaitMs: 1_000 });
    const disable = enableTracing();
    cleanups.push(disable);
    cleanups.push(() => Promise.all([producer.close(), worker.close()]));
    cleanups.push(() => scheduler.stop({ timeoutMs: 0 }));
    return { clock, producer, scheduler, disable };
  }

  it('a send span per enqueue and a process span per run, linked through the task; the handler’s spans are children of process', async () => {
    const { clock, producer, scheduler } = setup();
    const done: string[] = [];
    scheduler.on('completed', (task) => done.push(task.id));
    scheduler.on('failed', (task) => done.push(task.id));
    scheduler.handle(
      'emails',
      async (task: Task<string>) => {
        trace.getTracer('app').startActiveSpan('render', (span) => span.end());
        if (task.payload === 'bad') throw new Error('mailbox full');
      },
      { queue: { maxAttempts: 1 } },
    );
    const request = trace.getTracer('app').startSpan('POST /signup');
    await context.with(trace.setSpan(context.active(), request), async () => {
      await producer.queue<string>('emails').enqueue('hello', { id: 'e-1', headers: { tenant: 't1' } });
      await producer.queue<string>('emails').enqueueMany([
        { payload: 'bad', id: 'e-2' },
        { payload: 'tomorrow', id: 'e-3', delayMs: 86_400_000 },
      ]);
    });
    request.end();
    await scheduler.start();
    await clock.advanceUntil(() => done.length === 2, { maxMs: 5_000, what: 'both tasks to settle' });

    const spans = exporter.getFinishedSpans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    const [send1, send2] = named('send emails');
    const [process1, process2] = named('process emails');
    expect([send1, send2, process1, process2].every(Boolean)).toBe(true);
    expect(send1!.kind).toBe(SpanKind.PRODUCER);
    expect(send1!.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(send1!.attributes).toMatchObject({
      'messaging.system': 'baton',
      'messaging.destination.name': 'emails',
      'messaging.operation.type': 'send',
      'messaging.message.id': 'e-1',
      'baton.enqueue.status': 'queued',
    });
    expect(send2!.attributes).toMatchObject({ 'messaging.batch.message_count': 2 });
    expect(send2!.attributes['messaging.message.id']).toBeUndefined();
    expect(process1!.kind).toBe(SpanKind.CONSUMER);
    expect(process1!.links.map((l) => l.context.spanId)).toEqual([send1!.spanContext().spanId]);
    expect(process2!.links.map((l) => l.context.spanId)).toEqual([send2!.spanContext().spanId]);
    expect(process1!.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.message.id': 'e-1',
      'baton.task.attempt': 1,
      'baton.node.id': 'worker-1',
    });
    const renders = named('render');
    expect(renders.map((r) => r.parentSpanContext?.spanId)).toEqual([process1!.spanContext().spanId, process2!.spanContext().spanId]);
    expect(process1!.status.code).toBe(SpanStatusCode.UNSET);
    expect(process2!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'mailbox full' });
    expect(process2!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('the trace context travels in the task headers, beside the application’s own', async () => {
    const { producer } = setup();
    const q = producer.queue<string>('emails');
    await q.enqueue('hello', { id: 'e-1', headers: { tenant: 't1' } });
    const lease = await q.dequeue();
    const send = exporter.getFinishedSpans().find((s) => s.name === 'send emails')!;
    expect(lease!.headers).toEqual({ tenant: 't1', traceparent: `00-${send.spanContext().traceId}-${send.spanContext().spanId}-01` });
  });

  it('after the returned function is called, no span is made and no header is added', async () => {
    const { producer, disable } = setup();
    disable();
    const q = producer.queue<string>('emails');
    await q.enqueue('hello', { id: 'e-1' });
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect((await q.dequeue())!.headers).toBeUndefined();
  });
});
