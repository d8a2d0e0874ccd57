export { elect, ELECTION_DEFAULTS, type Election, type ElectionOptions } from './election.js';
