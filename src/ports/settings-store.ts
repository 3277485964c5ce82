export const SettingsStore = Symbol('SettingsStore');

/**
 * Daemon settings as opaque key/value strings (for example `local.passphrase` holding a
 * passphrase hash). Every adapter passes test/contract/settings-store.contract.ts.
 */
export interface SettingsStore {
  /** Reads persisted settings. Call once before anything else. */
  load(): Promise<void>;

  /** The current value, including changes made by other processes where the backend allows. */
  get(key: string): Promise<string | undefined>;

  /** Persists durably (atomically) before resolving; other keys are untouched. */
  set(key: string, value: string): Promise<void>;

  /** Removes the key durably; removing an absent key is a no-op. */
  delete(key: string): Promise<void>;

  /** Every key and value, for migration between backends. */
  entries(): Promise<ReadonlyArray<readonly [string, string]>>;

  close(): Promise<void>;
}
