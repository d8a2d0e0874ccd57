export { MemoryBackend, type MemoryBackendOptions } from './memory-backend.js';
export { MemoryStore } from './memory-store.js';
export { memoryBackend, type MemoryModuleOptions } from './memory-module.js';
