import { storeContract } from '../contracts/store-contract.js';
import { MemoryStore, memoryStoreData } from '../fakes/memory-store.js';

// The fake the engine's unit tests may use runs the same contract as the real stores.
storeContract('memory fake', () => ({
  async newDatabase() {
    const data = memoryStoreData();
    return { open: () => new MemoryStore(data), dispose: async () => undefined };
  },
}));
