export { TOKENS } from './tokens.js';
export { backendModule, type BackendModuleOptions } from './backend-module.js';
