import { InMemoryCertStore } from '../../src/adapters/stores/in-memory-cert-store.js';
import { certStoreContract } from './cert-store.contract.js';

// Memory is the in-memory store's only backing data, so "another instance over the same
// data" is the same instance: the cross-instance cases then check it against itself.
certStoreContract('InMemoryCertStore', async () => {
  let store: InMemoryCertStore | undefined;
  return {
    async create() {
      store = new InMemoryCertStore();
      await store.load();
      return store;
    },
    async reopen() {
      if (store === undefined) throw new Error('create() first');
      return store;
    },
    async dispose() {
      await store?.close();
    },
  };
});
