import { InMemorySettingsStore } from '../../src/adapters/stores/in-memory-settings-store.js';
import { inMemoryHarness } from '../support/store-harness.js';
import { settingsStoreContract } from './settings-store.contract.js';

settingsStoreContract('InMemorySettingsStore', inMemoryHarness(() => new InMemorySettingsStore()));
