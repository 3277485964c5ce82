export const SettingsStore = Symbol('SettingsStore');

/**
 * Daemon settings as opaque key/value strings (for example `local.passphrase` holding a
 * passphrase hash). Every adapter passes test/contract/settings-store.contract.ts.
 */
export interface SettingsStore {
  /**
   * Reads persisted settings. Call once before anything else. Where the settings share a file
   * with a CertStore (SQLite), a file the CertStore reports as `fault()` does not make this
   * throw: reads of an empty file find nothing, and other reads fail with `store-unavailable`.
   */
  load(): Promise<void>;

  /** Where the settings are kept, for messages to the admin: usually the file's path. */
  location(): string;

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
