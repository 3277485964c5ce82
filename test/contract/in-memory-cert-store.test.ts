import { InMemoryCertStore } from '../../src/adapters/stores/in-memory-cert-store.js';
import { certStoreContract } from './cert-store.contract.js';

/**
 * Memory is the in-memory store's only backing data, so "another instance over the same
 * data" is the same instance, and damaging or deleting that data is simulated with setFault.
 */
certStoreContract('InMemoryCertStore', async () => {
  let store: InMemoryCertStore | undefined;
  let damaged = false;
  return {
    async create() {
      store = new InMemoryCertStore();
      if (damaged) store.setFault('simulated damage');
      await store.load();
      return store;
    },
    async reopen() {
      if (store === undefined) throw new Error('create() first');
      return store;
    },
    async corrupt() {
      damaged = true;
    },
    async erase() {
      store?.setFault(undefined);
    },
    async plant(certificate) {
      // Memory has no back to go behind: a certificate added without a record is the nearest thing.
      await store?.add(certificate);
    },
    async dispose() {
      await store?.close();
    },
  };
});
