import type { Prng } from './prng.js';

/** The faults a simulation draws from its seed. */
export type FaultKind = 'crash' | 'pause' | 'partition' | 'call-fail' | 'call-late' | 'clock-jump';

/** Every fault kind, in the order the plan draws from. */
export const FAULT_KINDS: readonly FaultKind[] = ['crash', 'pause', 'partition', 'call-fail', 'call-late', 'clock-jump'];

/**
 * One planned fault. `crash`: the node dies (as on SIGKILL) and restarts `durationMs` later.
 * `pause`: its timers and store calls freeze for `durationMs` (past its TTLs), then resume.
 * `partition`: its store calls fail for `durationMs`. `call-fail`: for `durationMs`, each call
 * fails with probability `rate`, before or after the store applied it (a lost request or a lost
 * reply). `call-late`: for `durationMs`, each call is answered up to `delayMs` late (with
 * probability `rate`). `clock-jump`: the cluster's clock jumps `durationMs` ahead at once, as a
 * suspended VM or a stepped clock sees it: every node's timers fire late, together.
 */
export interface Fault {
  /** Position in the plan; shrinking names the faults it kept by index. */
  readonly index: number;
  readonly kind: FaultKind;
  /** The step it starts at (0-based). */
  readonly step: number;
  /** Index of the node it hits (unused by clock-jump). */
  readonly node: number;
  /** How long it lasts (ms of simulated time), or how far the clock jumps. */
  readonly durationMs: number;
  /** Share of calls hit (call-fail, call-late). */
  readonly rate: number;
  /** Longest delay of a late answer (ms, call-late). */
  readonly delayMs: number;
}

/** What a fault plan is drawn for. */
export interface FaultPlanOptions {
  steps: number;
  nodes: number;
  /** How many faults. */
  count: number;
  /** Which kinds may be drawn. @default FAULT_KINDS */
  kinds?: readonly FaultKind[];
  /** The longest TTL of the cluster (ms): durations are drawn around it, so pauses outlast it. */
  ttlMs: number;
}

/** Draws `count` faults from `rng`, sorted by step (ties keep drawing order). */
export function planFaults(rng: Prng, options: FaultPlanOptions): Fault[] {
  const kinds = options.kinds ?? FAULT_KINDS;
  if (kinds.length === 0 || options.nodes === 0 || options.steps === 0) return [];
  const ttl = options.ttlMs;
  const drawn: Omit<Fault, 'index'>[] = [];
  for (let i = 0; i < options.count; i++) {
    const kind = rng.pick(kinds);
    const base = { kind, step: rng.int(0, options.steps - 1), node: rng.int(0, options.nodes - 1), rate: 0, delayMs: 0 };
    switch (kind) {
      case 'pause':
        drawn.push({ ...base, durationMs: rng.int(Math.ceil(ttl * 1.2), ttl * 3) });
        break;
      case 'call-fail':
        drawn.push({ ...base, durationMs: rng.int(ttl / 2, ttl * 2), rate: 0.3 + 0.7 * rng.next() });
        break;
      case 'call-late':
        drawn.push({ ...base, durationMs: rng.int(ttl / 2, ttl * 2), rate: 0.3 + 0.7 * rng.next(), delayMs: rng.int(ttl / 5, ttl * 2) });
        break;
      default:
        drawn.push({ ...base, durationMs: rng.int(ttl / 2, ttl * 3) });
    }
  }
  drawn.sort((a, b) => a.step - b.step);
  return drawn.map((f, index) => ({ ...f, index }));
}

/** A fault in one line, for traces and failure reports. */
export function describeFault(fault: Fault, nodeIds: readonly string[]): string {
  const who = fault.kind === 'clock-jump' ? 'cluster' : (nodeIds[fault.node] ?? `node #${fault.node}`);
  const extra = fault.kind === 'call-fail' || fault.kind === 'call-late' ? ` rate=${fault.rate.toFixed(2)}` : '';
  const late = fault.kind === 'call-late' ? ` delay<=${fault.delayMs}ms` : '';
  return `fault #${fault.index} ${fault.kind} ${who} ${fault.durationMs}ms${extra}${late}`;
}
