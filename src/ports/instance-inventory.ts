import type { Instance } from '../domain/instance.js';

export const InstanceInventory = Symbol('InstanceInventory');

/** Where `list` gets its instances. Running VMs is out of scope; the default inventory is empty. */
export interface InstanceInventory {
  list(): Promise<readonly Instance[]>;
}
