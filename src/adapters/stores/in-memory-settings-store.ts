import type { SettingsStore } from '../../ports/settings-store.js';

/** A SettingsStore with no backing data: for unit tests and as the contract suite's reference. */
export class InMemorySettingsStore implements SettingsStore {
  private readonly values = new Map<string, string>();

  async load(): Promise<void> {}

  location(): string {
    return 'memory';
  }

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }

  async entries(): Promise<ReadonlyArray<readonly [string, string]>> {
    return [...this.values.entries()];
  }

  async close(): Promise<void> {}
}
