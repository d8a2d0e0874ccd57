export { MemoryBackend, type MemoryBackendOptions, type StoreWrapper } from './memory-backend.js';
export { MemoryStore } from './memory-store.js';
export { memoryBackend, type MemoryModuleOptions } from './memory-module.js';
