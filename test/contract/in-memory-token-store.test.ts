import { InMemoryTokenStore } from '../../src/adapters/stores/in-memory-token-store.js';
import { inMemoryHarness } from '../support/store-harness.js';
import { tokenStoreContract } from './token-store.contract.js';

tokenStoreContract('InMemoryTokenStore', inMemoryHarness(() => new InMemoryTokenStore()));
