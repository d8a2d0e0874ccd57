import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { Scheduler, silentLogger, SystemClock } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { enableTracing } from '../src/index.js';
import { installSdk } from './otel-sdk.js';

const url = inject('redisUrl');
const sdk = installSdk();
const exporter = sdk.exporter;
let disable: () => void = () => undefined;

beforeAll(() => {
  disable = enableTracing();
});
afterAll(async () => {
  disable();
  await sdk.uninstall();
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
