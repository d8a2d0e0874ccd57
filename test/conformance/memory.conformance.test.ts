import { runBackendConformance } from '@baton/core/testing';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

const stores = new Map<string, MemoryStore>();

function storeFor(namespace: string): MemoryStore {
  let store = stores.get(namespace);
  if (!store) {
    store = new MemoryStore();
    stores.set(namespace, store);
  }
  return store;
}

runBackendConformance('memory', ({ clock, namespace }) => new MemoryBackend({ clock, store: storeFor(namespace) }), { time: 'manual' });
