import { DEFAULT_SIZES, type BenchSizes } from './config.js';

/** Command-line options of `npm run bench -- …`. */
export interface BenchArgs {
  /** Groups or subjects to run (queue, lock, semaphore, baton, postgres, bullmq, bee-queue, redlock, redis-semaphore, memory, registry, multi, baton-pg); empty: all. */
  only: string[];
  /** Timed repetitions after the warm-up. @default 5 */
  reps: number;
  sizes: BenchSizes;
  /** Pass --cpu-prof to every scenario process (profiles in bench/results/profiles/). */
  cpuProf: boolean;
  /** Write bench/results/latest.md and chart.svg. @default true, false with --only */
  write: boolean;
  /** `--ab group:subject,group:subject` (or one with `against`): alternate two scenarios run by run instead of the full run. */
  ab?: string;
  /** With `ab`: another checkout of Baton whose scenario is side B. */
  against?: string;
  /** With `ab`: rounds (each side runs once per round). @default 10 */
  rounds: number;
}

const USAGE = `usage: npm run bench -- [--only queue,lock,semaphore,baton,postgres,bullmq,bee-queue,redlock,redis-semaphore,memory,registry,multi,baton-pg]
                        [--reps 5] [--scale 1] [--cpu-prof] [--write | --no-write]
       npm run bench -- --ab group:subject,group:subject [--rounds 10] [--scale 1]
       npm run bench -- --ab group:subject --against <other checkout> [--rounds 10]
  --only      run a subset (comma-separated groups or subjects)
  --reps      timed repetitions after the one warm-up (default 5)
  --scale     multiply every scenario size (e.g. 0.1 for a quick look)
  --cpu-prof  write a V8 CPU profile per scenario process to bench/results/profiles/
  --write     write bench/results/latest.md and chart.svg (the default without --only)
  --ab        alternate two scenarios (e.g. queue:baton,queue:bee-queue) run by run, one timed
              repetition per run, and print each metric's ratio and its spread over the rounds
  --against   with one --ab scenario: side B runs from another checkout (e.g. a git worktree of the
              commit before a change, with npm ci done there)
  --rounds    rounds of an --ab comparison (default 10)`;

/** Parses argv (after `--`); exits with the usage on a bad flag. */
export function parseArgs(argv: string[]): BenchArgs {
  const out: BenchArgs = { only: [], reps: 5, sizes: { ...DEFAULT_SIZES }, cpuProf: false, write: true, rounds: 10 };
  let write: boolean | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    if (flag === '--only') out.only.push(...value().split(',').filter(Boolean));
    else if (flag === '--reps') out.reps = positive(flag, value());
    else if (flag === '--scale') {
      const f = Number(value());
      if (!(f > 0)) fail('--scale must be > 0');
      for (const key of ['jobs', 'latencyJobs', 'lockCycles', 'cyclesPerClient', 'memoryTasks'] as const) {
        out.sizes[key] = Math.max(key === 'jobs' || key === 'memoryTasks' ? 1_000 : 10, Math.round(DEFAULT_SIZES[key] * f));
      }
    } else if (flag === '--ab') out.ab = value();
    else if (flag === '--against') out.against = value();
    else if (flag === '--rounds') out.rounds = positive(flag, value());
    else if (flag === '--cpu-prof') out.cpuProf = true;
    else if (flag === '--write') write = true;
    else if (flag === '--no-write') write = false;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown flag ${arg}`);
  }
  out.write = write ?? (out.only.length === 0 && out.ab === undefined);
  if (out.against !== undefined && out.ab === undefined) fail('--against needs --ab');
  return out;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be an integer >= 1`);
  return n;
}

/** Prints `message` and the usage, and exits with 2: a bad command line, not a failed run. */
export function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}
