import { storeContract } from '../contracts/store-contract.js';
import { MemoryStore, memoryStoreData } from '../fakes/memory-store.js';

// The one in-memory Store fake: it passes the store contract and serves the engine's unit tests.
storeContract('memory fake', () => ({
  async newDatabase() {
    const data = memoryStoreData();
    return { open: () => new MemoryStore(data), dispose: async () => undefined };
  },
}));
