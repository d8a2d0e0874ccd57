export { simulate, checkDeterminism, report, SimulationFailedError, NondeterminismError, type SimulateOptions } from './simulate.js';
export { sweep, type SweepOptions, type SweepResult } from './sweep.js';
export { runSimulation, resolveConfig, type SimulationConfig, type SimulationRun, type SimulationFailure } from './simulation.js';
export { shrink, type Shrunk } from './shrink.js';
export { SEED_ENV, formatSpec, parseSpec, specFromEnv, type ReplaySpec } from './replay.js';
export {
  BUILT_IN_INVARIANTS,
  noLostTask,
  noUnexplainedRerun,
  oneLockHolder,
  oneLeaderPerTerm,
  liveNodesListed,
  type Invariant,
  type SimView,
} from './invariants.js';
export { History, type Attempt, type FaultWindow, type Violation } from './history.js';
export { FAULT_KINDS, planFaults, describeFault, type Fault, type FaultKind, type FaultPlanOptions } from './fault-plan.js';
export { FencedResource, StaleFenceError } from './fenced-resource.js';
export { Prng } from './prng.js';
export { Trace } from './trace.js';
export { NodeClock } from './node-clock.js';
export { CallGate, type CallFault } from './call-gate.js';
export type { SimNode, HeldLock } from './virtual-node.js';
export type { Workload, StepContext } from './workload.js';
export { standardWorkload, type StandardWorkloadOptions } from './standard-workload.js';
