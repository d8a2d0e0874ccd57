import { mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FULL } from './scale.js';

/** Where the fault suite writes its figures (gitignored); test/faults/README.md quotes them. */
export const RESULTS_FILE = fileURLToPath(new URL('../results.json', import.meta.url));
const LOCK_DIR = `${RESULTS_FILE}.lock`;

type Figures = Record<string, unknown>;

function withFileLock(fn: () => void): void {
  // Test files run in parallel forks: a directory is an atomic lock on every filesystem.
  const giveUpAt = Date.now() + 5_000;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      if (Date.now() > giveUpAt) {
        rmdirSync(LOCK_DIR);
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  try {
    fn();
  } finally {
    rmdirSync(LOCK_DIR);
  }
}

/**
 * Prints a one-line summary `[faults] <name> key=value …` and stores the figures under `name` in
 * test/faults/results.json (merged with the other test files' figures).
 */
export function recordFigures(name: string, figures: Figures): void {
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  console.log(`[faults] ${name}${FULL ? ' (full)' : ''} ${line}`);
  withFileLock(() => {
    let all: Record<string, unknown>;
    try {
      all = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
    } catch {
      all = {};
    }
    all[name] = { ...figures, full: FULL, at: new Date().toISOString() };
    writeFileSync(`${RESULTS_FILE}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);
  });
}

/** The p-th percentile of a histogram `{ value: count }`. */
export function histogramPercentile(histogram: Record<string, number>, p: number): number {
  const entries = Object.entries(histogram)
    .map(([k, n]) => [Number(k), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return 0;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const [value, n] of entries) {
    seen += n;
    if (seen >= rank) return value;
  }
  return entries.at(-1)![0];
}
