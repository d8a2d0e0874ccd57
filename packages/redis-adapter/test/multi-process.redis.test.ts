import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Resources, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();
const fixture = fileURLToPath(new URL('./fixtures/lock-contender.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Starts a contender process; resolves its stdout lines as they come. */
function contender(prefix: string, rounds: number): { child: ChildProcess; lines: string[]; ready: Promise<void>; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@baton/source', '--import', 'tsx', fixture, url, prefix, String(rounds)], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      if (line === 'ready') onReady();
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0) console.error(`contender ${child.pid} exited with ${code}:\n${stderr}`);
      resolve(code);
    }),
  );
  return { child, lines, ready, done };
}

describe.skipIf(url === '')(`redis locks across processes${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('three Node processes contending on one lock never overlap, and fences grow in acquisition order', async () => {
    const prefix = uniquePrefix('procs');
    const rounds = 15;
    const procs = [contender(prefix, rounds), contender(prefix, rounds), contender(prefix, rounds)];
    try {
      await Promise.all(procs.map((p) => p.ready));
      const raw = r.raw(url);
      await raw.lpush(`${prefix}:go`, '1', '2', '3');
      const codes = await Promise.all(procs.map((p) => p.done));
      expect(codes).toEqual([0, 0, 0]);
      const summaries = procs.map((p) => JSON.parse(p.lines.at(-1)!) as { violations: number; rounds: number });
      expect(summaries.map((s) => s.violations)).toEqual([0, 0, 0]);
      const fences = (await raw.lrange(`${prefix}:fences`, 0, -1)).map(Number);
      expect(fences).toHaveLength(3 * rounds);
      for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
    } finally {
      for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 30_000);
});
