import type { Instance } from '../../domain/instance.js';
import type { InstanceInventory } from '../../ports/instance-inventory.js';

/** Running VMs is out of scope: `list` always answers with no instances. */
export class EmptyInstanceInventory implements InstanceInventory {
  async list(): Promise<readonly Instance[]> {
    return [];
  }
}
