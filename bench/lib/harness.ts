import { Redis } from 'ioredis';
import { readConfig, type BenchConfig } from './config.js';
import type { MetricKey, ScenarioResult } from './metrics.js';

/** One measurement: resolves the metrics it measured. `warmup` is true for the untimed first run. */
export type Measure = (warmup: boolean) => Promise<Partial<Record<MetricKey, number>>>;

/**
 * The scenario side of the protocol: FLUSHALL on the bench's private Redis before every
 * measurement, one warm-up then `reps` timed repetitions, results sent to run.ts over IPC.
 */
export class Harness {
  readonly config: BenchConfig;
  private readonly admin: Redis;
  private readonly result: ScenarioResult;
  private resetStore: (() => Promise<void>) | undefined;

  constructor(subject: string, suite: ScenarioResult['suite'], settings: string) {
    this.config = readConfig();
    this.admin = new Redis(this.config.redisUrl, { lazyConnect: false });
    this.result = { subject, suite, settings, values: {}, notes: [] };
  }

  /** Also runs `fn` before every measurement (a PostgreSQL scenario empties its tables there). */
  onReset(fn: () => Promise<void>): void {
    this.resetStore = fn;
  }

  /** Runs `measure` once as a warm-up and then `reps` times, each after a FLUSHALL (and the onReset hook). */
  async repeat(name: string, measure: Measure): Promise<void> {
    for (let rep = 0; rep <= this.config.reps; rep++) {
      await this.admin.flushall();
      await this.resetStore?.();
      const values = await measure(rep === 0);
      if (rep === 0) continue;
      for (const [key, value] of Object.entries(values) as Array<[MetricKey, number]>) {
        (this.result.values[key] ??= []).push(value);
      }
    }
    log(`${this.result.subject}: ${name} done`);
  }

  /** Adds an observation to the report. */
  note(text: string): void {
    this.result.notes.push(text);
  }

  /** Counts the commands Redis ran while `fn` ran (INFO commandstats delta), by command. */
  async countCommands(fn: () => Promise<void>): Promise<Record<string, number>> {
    const before = parseCommandStats(await this.admin.info('commandstats'));
    await fn();
    const after = parseCommandStats(await this.admin.info('commandstats'));
    const delta: Record<string, number> = {};
    for (const [cmd, calls] of Object.entries(after)) {
      const d = calls - (before[cmd] ?? 0);
      if (d > 0 && cmd !== 'info') delta[cmd] = d;
    }
    return delta;
  }

  /** Sends the results to run.ts and closes the admin connection. */
  async finish(): Promise<void> {
    this.admin.disconnect();
    await new Promise<void>((resolve, reject) => {
      if (!process.send) {
        console.log(JSON.stringify(this.result));
        resolve();
        return;
      }
      process.send(this.result, (error: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}

function parseCommandStats(info: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of info.split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Progress output on stderr (stdout stays free for results when run by hand). */
export function log(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}

/** Runs a scenario's main function; any failure exits the process with code 1 and the error. */
export function main(fn: () => Promise<void>): void {
  fn().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
