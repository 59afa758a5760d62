import { storeContract } from '../contracts/store-contract.js';
import { MemoryStore, memoryStoreData } from '../fakes/contract-memory-store.js';

// TODO(unify): the engine's fake (fakes/memory-store.ts) does not pass this contract yet;
// this second fake does. One fake should remain.
storeContract('memory fake', () => ({
  async newDatabase() {
    const data = memoryStoreData();
    return { open: () => new MemoryStore(data), dispose: async () => undefined };
  },
}));
