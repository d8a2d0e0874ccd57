import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisBackend, type RedisBackendOptions } from '../src/index.js';

/** A key prefix no other test uses. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Tracks the backends and raw clients a test file creates, and closes them all. */
export class Resources {
  private readonly backends: RedisBackend[] = [];
  private readonly clients: Redis[] = [];

  /** A backend on `url` (the test's own settings override the defaults). */
  backend(url: string, options: Partial<RedisBackendOptions> = {}): RedisBackend {
    const backend = new RedisBackend({ url, ...options });
    this.backends.push(backend);
    return backend;
  }

  /** A plain ioredis client, standing for another program that uses the same Redis. */
  raw(url: string): Redis {
    const client = new Redis(url, { maxRetriesPerRequest: 3 });
    this.clients.push(client);
    return client;
  }

  /**
   * A connection in MONITOR mode on `url`. The client it is duplicated from is connected first:
   * ioredis enters monitoring mode a turn after MONITOR's OK, so a command seen in the same read
   * as that OK (that client's own ready check, when both connect at once) is taken for a reply to
   * nothing and fails with "Command queue state error".
   */
  async monitor(url: string): Promise<Redis> {
    const client = this.raw(url);
    await client.ping();
    const monitor = await client.monitor();
    this.clients.push(monitor);
    return monitor;
  }

  /** Closes everything this object created. */
  async closeAll(): Promise<void> {
    const backends = this.backends.splice(0);
    const clients = this.clients.splice(0);
    await Promise.allSettled(backends.map((b) => b.close()));
    for (const client of clients) client.disconnect();
  }
}

/** Real sleep, for tests against a real server. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { SkewedClock } from '../../../test/setup/skewed-clock.js';
