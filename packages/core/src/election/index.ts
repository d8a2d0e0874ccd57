export { elect, ELECTION_DEFAULTS, type Election, type ElectionOptions } from './election.js';
export { inspectElection, type ElectionState } from './election-state.js';
