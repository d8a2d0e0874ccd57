import { InvalidArgumentError, ManualClock, silentLogger, type SchedulerOptions } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';
import { describeFault, planFaults, type Fault, type FaultKind } from './fault-plan.js';
import { FencedResource } from './fenced-resource.js';
import { History, type FaultWindow } from './history.js';
import type { Invariant, SimView } from './invariants.js';
import { Prng } from './prng.js';
import { Trace } from './trace.js';
import { VirtualNode, type NodeWorld } from './virtual-node.js';
import type { StepContext, Workload } from './workload.js';

/** One run's settings; everything not given has a default and the seed decides the rest. */
export interface SimulationConfig {
  /** Decides everything drawn at random: the faults, the work, the timing. */
  seed: number;
  /** How many nodes. @default 3 */
  nodes?: number;
  /** Steps of the safety phase (each moves the clock 50–1,000 ms). @default 100 */
  steps?: number;
  /** How many faults the plan draws. @default a tenth of the steps, at least 1 */
  faults?: number;
  /** Which kinds of fault. @default every kind */
  faultKinds?: readonly FaultKind[];
  /** Node, election, lock and lease TTL (ms); faults are drawn around it. @default 3_000 */
  ttlMs?: number;
  /** Extra scheduler options of every node. @default short intervals that suit ttlMs */
  scheduler?: SchedulerOptions;
  /** Most simulated time (ms) the liveness phase may take to finish the work. @default 600_000 */
  livenessMs?: number;
  /** Keep only these faults of the plan (by index): how a shrunk run is replayed. @default all */
  keepFaults?: readonly number[];
  /**
   * End the safety phase after this many steps, the faults and work still drawn for `steps`: how
   * a run shrunk to fewer steps is replayed. @default steps
   */
  stopAfter?: number;
}

/** Where and why a run failed. */
export interface SimulationFailure {
  readonly invariant: string;
  readonly message: string;
  readonly phase: 'safety' | 'liveness';
  /** The safety step at which it was seen (the last step when seen while healing). */
  readonly step: number;
}

/** The outcome of one run. */
export interface SimulationRun {
  readonly seed: number;
  readonly steps: number;
  /** The faults of the run (after keepFaults). */
  readonly faults: readonly Fault[];
  readonly failure: SimulationFailure | undefined;
  readonly trace: Trace;
  /** Handler attempts started (task-runs). */
  readonly taskRuns: number;
  readonly tasks: number;
  /** Simulated time the run covered (ms). */
  readonly simulatedMs: number;
}

/** Resolved defaults of a config. */
export function resolveConfig(config: SimulationConfig): Required<Omit<SimulationConfig, 'keepFaults'>> & { keepFaults: readonly number[] | undefined } {
  if (!Number.isInteger(config.seed)) throw new InvalidArgumentError('config.seed', 'must be an integer');
  const steps = config.steps ?? 100;
  const ttlMs = config.ttlMs ?? 3_000;
  return {
    seed: config.seed,
    nodes: config.nodes ?? 3,
    steps,
    faults: config.faults ?? Math.max(1, Math.floor(steps / 10)),
    faultKinds: config.faultKinds ?? ['crash', 'pause', 'partition', 'call-fail', 'call-late', 'clock-jump'],
    ttlMs,
    scheduler: {
      nodeTtlMs: ttlMs,
      electionTtlMs: ttlMs,
      recoverStalledIntervalMs: Math.max(1, Math.floor(ttlMs / 3)),
      idleWaitMs: Math.max(1, Math.floor(ttlMs / 6)),
      errorBackoffMs: Math.max(1, Math.floor(ttlMs / 15)),
      stopTimeoutMs: ttlMs,
      ...config.scheduler,
    },
    livenessMs: config.livenessMs ?? 600_000,
    keepFaults: config.keepFaults,
    stopAfter: Math.min(steps, config.stopAfter ?? steps),
  };
}

/** Runs one simulation of `workload` under `config`; never throws for a broken invariant (see `failure`). */
export async function runSimulation<S>(config: SimulationConfig, workload: Workload<S>, invariants: readonly Invariant<S>[]): Promise<SimulationRun> {
  const c = resolveConfig(config);
  const root = new Prng(c.seed);
  const clock = new ManualClock();
  const origin = clock.now();
  const store = new MemoryStore();
  const trace = new Trace(() => clock.now(), origin);
  const history = new History(() => clock.now());
  const resources = new Map<string, FencedResource>();
  const world: NodeWorld = {
    clock,
    store,
    history,
    trace,
    ttlMs: c.ttlMs,
    scheduler: c.scheduler,
    resource: (name) => resources.get(name) ?? resources.set(name, new FencedResource(name, history)).get(name)!,
  };
  const state = (workload.init?.() ?? undefined) as S;
  const clientRandom = root.fork('client');
  const client = new MemoryBackend({ clock, store, random: () => clientRandom.next(), logger: silentLogger });
  const ids = Array.from({ length: c.nodes }, (_, i) => `node-${i + 1}`);
  const lives = ids.map(() => 0);
  const nodes: VirtualNode[] = [];
  const keep = c.keepFaults === undefined ? undefined : new Set(c.keepFaults);
  const plan = planFaults(root.fork('faults'), { steps: c.steps, nodes: c.nodes, count: c.faults, kinds: c.faultKinds, ttlMs: c.ttlMs }).filter(
    (f) => keep?.has(f.index) ?? true,
  );
  const work = root.fork('work');
  let taskCount = 0;
  let failure: SimulationFailure | undefined;

  const startNode = async (i: number): Promise<void> => {
    const node = new VirtualNode(ids[i]!, lives[i]!, root.fork(`${ids[i]}/${lives[i]}`), world);
    nodes[i] = node;
    workload.node(node, state);
    await node.scheduler.start();
  };
  const view: SimView<S> = {
    state,
    history,
    now: () => clock.now(),
    get phase() {
      return trace.phase;
    },
    liveNodes: () => nodes.filter((n) => !n.down).map((n) => n.id),
    listedNodes: async () => (await client.registry(c.scheduler.group ?? 'baton', { ttlMs: c.ttlMs }).list()).map((n) => n.id),
    queue: (name) => client.queue(name),
  };
  const check = async (kind: 'check' | 'atEnd'): Promise<void> => {
    for (const invariant of invariants) {
      const fn = invariant[kind];
      const message = fn === undefined ? undefined : await fn.call(invariant, view);
      if (message !== undefined) {
        failure = { invariant: invariant.name, message, phase: trace.phase, step: trace.step };
        trace.add(`VIOLATION ${invariant.name}: ${message}`);
        return;
      }
    }
  };

  // Faults in force: what heals each, and when.
  const active: Array<{ fault: Fault; window: FaultWindow; until: number; heal: () => Promise<void> }> = [];
  const begin = async (fault: Fault): Promise<void> => {
    trace.add(describeFault(fault, ids));
    const node = nodes[fault.node]!;
    const target = fault.kind === 'clock-jump' ? undefined : node.id;
    if (fault.kind !== 'clock-jump' && node.down) return trace.add(`(fault #${fault.index} skipped: ${node.id} is down)`);
    const window = history.faultBegan(fault.kind, target);
    const until = clock.now() + fault.durationMs;
    const rng = root.fork(`fault-${fault.index}`);
    let heal: () => Promise<void> = async () => undefined;
    switch (fault.kind) {
      case 'crash':
        await node.crash();
        heal = async () => {
          lives[fault.node]!++;
          await startNode(fault.node);
        };
        break;
      case 'pause':
        node.clock.pause();
        heal = () => node.clock.resume();
        break;
      case 'partition':
        node.gate.partitioned = true;
        heal = async () => void (node.gate.partitioned = false);
        break;
      case 'call-fail':
        node.gate.failing = { rate: fault.rate, rng, delayMs: 0 };
        heal = async () => void (node.gate.failing = undefined);
        break;
      case 'call-late':
        node.gate.late = { rate: fault.rate, rng, delayMs: fault.delayMs };
        heal = async () => void (node.gate.late = undefined);
        break;
      case 'clock-jump': {
        // Every node is frozen while the clock moves, so their timers all fire late, at once.
        const frozen = nodes.filter((n) => !n.down && !n.clock.isPaused);
        for (const n of frozen) n.clock.pause();
        await clock.advance(fault.durationMs);
        for (const n of frozen) await n.clock.resume();
        await clock.runPending();
        window.to = clock.now();
        return;
      }
    }
    active.push({ fault, window, until, heal });
  };
  const healDue = async (all: boolean): Promise<void> => {
    for (const entry of [...active]) {
      if (!all && clock.now() < entry.until) continue;
      active.splice(active.indexOf(entry), 1);
      // A fault whose node crashed meanwhile has nothing left to heal, except a crash itself.
      const node = nodes[entry.fault.node]!;
      if (entry.fault.kind === 'crash' || !node.down) await entry.heal();
      entry.window.to = clock.now();
      trace.add(`healed fault #${entry.fault.index} ${entry.fault.kind} ${ids[entry.fault.node]}`);
    }
    await clock.runPending();
  };
  const stepContext = (step: number): StepContext => ({
    step,
    rng: work,
    now: () => clock.now(),
    enqueue: async (queue, payload) => {
      const id = `t${++taskCount}`;
      history.enqueued.set(id, queue);
      await client.queue(queue).enqueue(payload, { id });
      trace.add(`enqueue ${id} on ${queue}`);
      return id;
    },
  });

  try {
    for (let i = 0; i < c.nodes; i++) await startNode(i);
    let next = 0;
    for (let step = 0; step < c.stopAfter && failure === undefined; step++) {
      trace.step = step;
      await healDue(false);
      while (next < plan.length && plan[next]!.step === step) await begin(plan[next++]!);
      await workload.step?.(stepContext(step), state);
      await clock.advance(work.int(50, 1_000));
      for (const node of nodes) node.observeLeadership();
      await check('check');
    }
    if (failure === undefined) {
      trace.phase = 'liveness';
      trace.add('liveness: every fault healed, no new work');
      await healDue(true);
      const deadline = clock.now() + c.livenessMs;
      while (failure === undefined && !(await settled(view)) && clock.now() < deadline) {
        await clock.advance(Math.max(1, Math.floor(c.ttlMs / 3)));
        for (const node of nodes) node.observeLeadership();
        await check('check');
      }
      if (failure === undefined && !(await settled(view))) {
        failure = {
          invariant: 'no-lost-task',
          message: `the work did not finish within ${c.livenessMs} ms after the faults healed`,
          phase: 'liveness',
          step: trace.step,
        };
      }
      // Long enough for every live node's heartbeat to have landed.
      if (failure === undefined) await clock.advance(c.ttlMs);
      if (failure === undefined) await check('atEnd');
    }
  } finally {
    for (const node of nodes) await node.crash();
    await client.close();
  }
  return {
    seed: c.seed,
    steps: c.stopAfter,
    faults: plan.filter((f) => f.step < c.stopAfter),
    failure,
    trace,
    taskRuns: history.runs,
    tasks: taskCount,
    simulatedMs: clock.now() - origin,
  };
}

// True when no queue the workload used has a task waiting, delayed or active.
async function settled(view: SimView<unknown>): Promise<boolean> {
  for (const queue of new Set(view.history.enqueued.values())) {
    const stats = await view.queue(queue).stats();
    if (stats.waiting + stats.delayed + stats.active > 0) return false;
  }
  return true;
}
