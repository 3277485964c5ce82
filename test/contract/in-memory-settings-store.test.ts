import { InMemorySettingsStore } from '../../src/adapters/stores/in-memory-settings-store.js';
import { settingsStoreContract } from './settings-store.contract.js';

// Memory is the in-memory store's only backing data, so "another instance over the same
// data" is the same instance: the cross-instance cases then check it against itself.
settingsStoreContract('InMemorySettingsStore', async () => {
  let store: InMemorySettingsStore | undefined;
  return {
    async create() {
      store = new InMemorySettingsStore();
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
