// Fault family 8: security. ACL users (least privilege works; a missing permission gives a typed
// error naming the command; a wrong password does not leak into messages), TLS with a throw-away
// self-signed certificate, prefix isolation, and hostile names that round-trip without ever
// becoming Lua source (the server's script cache holds only Baton's own scripts afterwards).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBatonError, silentLogger, type RegistryEvent } from '@baton/core';
import { RedisBackend, type RedisBackendOptions } from '@baton/redis-adapter';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../setup/redis-server.js';
import { recordFigures } from './support/results.js';

const available = inject('redisUrl') !== '';
const servers: RedisServerHandle[] = [];
const backends: RedisBackend[] = [];
const clients: Redis[] = [];
const figures: Record<string, unknown> = {};
let server: RedisServerHandle;
let admin: Redis;

function backend(options: RedisBackendOptions): RedisBackend {
  const b = new RedisBackend({ logger: silentLogger, ...options });
  backends.push(b);
  return b;
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  if (!available) return;
  server = await startRedisServer();
  servers.push(server);
  admin = new Redis(server.url);
  clients.push(admin);
});

afterAll(async () => {
  await Promise.allSettled(backends.map((b) => b.close()));
  for (const c of clients) c.disconnect();
  await Promise.allSettled(servers.map((s) => s.stop()));
  if (Object.keys(figures).length > 0) recordFigures('security', figures);
});

/** Enqueue, blocking dequeue, complete, lock and registry on `b`: the operations a node runs. */
async function exercise(b: RedisBackend): Promise<void> {
  const q = b.queue<string>('jobs');
  const waiting = q.dequeue({ waitMs: 2_000 });
  await q.enqueue('hello', { id: 'one' });
  const lease = await waiting;
  expect(lease?.payload).toBe('hello');
  expect(await q.complete(lease!)).toBe(true);
  const lock = await b.locks().acquire('res', { ttlMs: 2_000, waitMs: 1_000 });
  const blocked = b.locks().acquire('res', { ttlMs: 2_000, waitMs: 2_000 });
  await lock.release();
  await (await blocked).release();
  const reg = await b.registry('nodes').register({ id: 'n1' }, { ttlMs: 2_000 });
  expect((await b.registry('nodes').list()).map((n) => n.id)).toEqual(['n1']);
  await reg.deregister();
}

describe.skipIf(!available)(`security${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it('an ACL user with a password and only the documented categories runs queues, locks and registries', async () => {
    await admin.call(
      'ACL',
      'SETUSER',
      'baton',
      'on',
      '>s3cret-pw',
      '~*',
      '&*',
      '+@read',
      '+@write',
      '+@keyspace',
      '+@scripting',
      '+@pubsub',
      '+@blocking',
      '+@connection',
      '+info',
      '+time',
    );
    await exercise(backend({ url: `redis://baton:s3cret-pw@127.0.0.1:${server.port}`, prefix: 'acl' }));
    const wrong = backend({ url: `redis://baton:not-the-password@127.0.0.1:${server.port}`, prefix: 'acl' });
    const error = await wrong
      .queue('jobs')
      .enqueue('x')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isBatonError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/WRONGPASS/);
    expect((error as Error).message).not.toContain('not-the-password');
    figures.aclLeastPrivilege =
      '+@read +@write +@keyspace +@scripting +@pubsub +@blocking +@connection +info +time (INFO for the client ready check and the eviction policy, TIME for the server clock in scripts): all operations work';
    figures.wrongPassword = 'BACKEND_UNAVAILABLE (WRONGPASS), password not in the message';
  });

  it('a user lacking a command Baton needs gets BackendUnavailableError naming the command', async () => {
    const refused: Record<string, string> = {};
    // A queue's waits and a lock's waits both need SUBSCRIBE (waiting workers hear of work over pub/sub).
    const cases = [
      { command: 'eval', what: 'stats' },
      { command: 'subscribe', what: 'dequeue' },
      { command: 'subscribe', what: 'lock' },
    ] as const;
    for (const { command, what } of cases) {
      // ioredis sends EVAL the first time and EVALSHA after, so both are taken away together
      const rules = command === 'eval' ? ['-eval', '-evalsha'] : [`-${command}`];
      const user = `no-${command}-${what}`;
      await admin.call('ACL', 'SETUSER', user, 'on', '>pw', '~*', '&*', '+@all', ...rules);
      const b = backend({ url: `redis://${user}:pw@127.0.0.1:${server.port}`, prefix: user });
      const locks = b.locks();
      const held = what === 'lock' ? await locks.tryAcquire('r', { ttlMs: 5_000 }) : null;
      const attempt =
        what === 'stats' ? b.queue('q').stats() : what === 'dequeue' ? b.queue('q').dequeue({ waitMs: 1_000 }) : locks.acquire('r', { waitMs: 1_000 });
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isBatonError(error, 'BACKEND_UNAVAILABLE'), `${command} (${what}): ${String(error)}`).toBe(true);
      expect((error as Error).message).toContain(`'${command}'`);
      expect((error as Error).message).toContain('ACL SETUSER');
      refused[`${command} (${what})`] = (error as Error).message.slice(0, 120);
      await held?.release();
    }
    figures.missingPermission = Object.fromEntries(Object.keys(refused).map((c) => [c, `BACKEND_UNAVAILABLE naming '${c}'`]));
  });

  it('TLS: rediss:// to a redis-server with a throw-away self-signed certificate', async () => {
    if (!hasOpenssl()) {
      if (process.env.CI === 'true') throw new Error('CI=true and openssl is missing: the TLS test cannot run');
      console.warn('*** openssl not found: TLS test SKIPPED ***');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'baton-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const port = await freePort();
      const tls = await startRedisServer([
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        join(dir, 'cert.pem'),
        '--tls-key-file',
        join(dir, 'key.pem'),
        '--tls-ca-cert-file',
        join(dir, 'cert.pem'),
        '--tls-auth-clients',
        'no',
      ]);
      servers.push(tls);
      const ca = readFileSync(join(dir, 'cert.pem'));
      await exercise(backend({ url: `rediss://127.0.0.1:${port}`, tls: { ca }, prefix: 'tls' }));
      // without the CA the certificate is refused: a typed error, not a hang
      const untrusted = backend({ url: `rediss://127.0.0.1:${port}`, tls: {}, prefix: 'tls', connectTimeoutMs: 2_000 });
      const error = await untrusted
        .queue('jobs')
        .stats()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isBatonError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
      figures.tls = 'rediss:// with tls.ca: all operations work; an untrusted certificate gives BACKEND_UNAVAILABLE';
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two prefixes on one server share no task, node or lock', async () => {
    const [a, b] = [backend({ url: server.url, prefix: 'tenant-a' }), backend({ url: server.url, prefix: 'tenant-b' })];
    await a.queue('jobs').enqueue('for a', { id: 'same' });
    expect((await b.queue('jobs').enqueue('for b', { id: 'same' })).status).toBe('queued');
    expect((await b.queue('jobs').dequeue())!.payload).toBe('for b');
    expect(await b.queue('jobs').dequeue()).toBeNull();
    await a.registry('nodes').register({ id: 'node-a' }, { ttlMs: 5_000 });
    expect(await b.registry('nodes').list()).toEqual([]);
    expect(await a.locks().tryAcquire('shared', { ttlMs: 5_000 })).not.toBeNull();
    expect(await b.locks().tryAcquire('shared', { ttlMs: 5_000 })).not.toBeNull();
    figures.prefixIsolation = 'same queue, id, group and resource names under two prefixes: no sharing';
  });

  it('hostile names (quotes, ]], newlines, braces, %, unicode) round-trip and never become Lua source', async () => {
    const hostile = [
      `it's "quoted"`,
      ']]..os.exit()..[[',
      'line\nbreak\r\n',
      '{braces}{',
      '}{',
      '%s%d%%',
      'ünïcødé ✓ 🎉',
      "'); redis.call('FLUSHALL') --",
      'a:b:{c}',
    ];
    await admin.script('FLUSH');
    const b = backend({ url: server.url, prefix: 'p{r}e"f\nix' });
    const other = backend({ url: server.url, prefix: 'p{r}e"f\nix' });
    let roundTrips = 0;
    for (const name of hostile) {
      const q = b.queue<{ name: string }>(name);
      expect((await q.enqueue({ name }, { id: name })).status).toBe('queued');
      const lease = await q.dequeue();
      expect(lease).toMatchObject({ id: name, payload: { name } });
      expect(await q.complete(lease!)).toBe(true);
      expect(await q.isFinished(name)).toBe(true);
      expect((await q.enqueue({ name }, { id: name })).status).toBe('finished');
      const lock = await b.locks().acquire(name, { ttlMs: 5_000 });
      expect(await other.locks().tryAcquire(name)).toBeNull();
      expect(await lock.release()).toBe(true);
      const events: RegistryEvent[] = [];
      const unwatch = other.registry(name).watch((e) => events.push(e));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const reg = await b.registry(name).register({ id: name, meta: { name } }, { ttlMs: 5_000 });
      expect(await other.registry(name).list()).toMatchObject([{ id: name, meta: { name } }]);
      await eventually(() => events.length > 0, { what: `the watcher to see ${JSON.stringify(name)} join`, timeoutMs: 2_000 });
      expect(events).toMatchObject([{ type: 'join', node: { id: name } }]);
      unwatch();
      await reg.deregister();
      roundTrips++;
    }
    expect(await admin.dbsize()).toBeGreaterThan(0);
    // every script the server ever compiled is one of Baton's fixed files: no name became source
    const info = await admin.info('memory');
    const cached = Number(/number_of_cached_scripts:(\d+)/.exec(info)![1]);
    expect(cached).toBeGreaterThan(0);
    expect(cached).toBeLessThanOrEqual(20);
    figures.hostileNames = { names: hostile.length, roundTrips, cachedScriptsAfter: cached };
  });
});
