import { InMemoryCertStore } from '../../src/adapters/stores/in-memory-cert-store.js';
import { inMemoryHarness } from '../support/store-harness.js';
import { certStoreContract } from './cert-store.contract.js';

certStoreContract('InMemoryCertStore', inMemoryHarness(() => new InMemoryCertStore()));
