import type { SocketAccess } from '../../../src/ports/socket-access.js';

export type SocketAccessCall = 'restrict' | 'open';

/**
 * SocketAccess that records what the domain asked for. A `tcp` fake models a transport with
 * no OS restriction: `restrict()` is recorded but never makes it restricted.
 */
export class FakeSocketAccess implements SocketAccess {
  /** Every call, in order. */
  readonly calls: SocketAccessCall[] = [];
  private restricted: boolean;
  readonly restrictable: boolean;

  private constructor(
    readonly kind: 'unix' | 'tcp',
    restricted: boolean,
  ) {
    this.restricted = restricted;
    this.restrictable = kind === 'unix';
  }

  /** A Unix socket limited to the admin group, as the daemon leaves it on an empty store. */
  static restrictedUnix(): FakeSocketAccess {
    return new FakeSocketAccess('unix', true);
  }

  /** A Unix socket every local user may connect to. */
  static openUnix(): FakeSocketAccess {
    return new FakeSocketAccess('unix', false);
  }

  /** A TCP listener: the OS restricts nothing. */
  static tcp(): FakeSocketAccess {
    return new FakeSocketAccess('tcp', false);
  }

  isRestricted(): boolean {
    return this.restricted;
  }

  async restrict(): Promise<void> {
    this.calls.push('restrict');
    if (this.kind === 'unix') this.restricted = true;
  }

  async open(): Promise<void> {
    this.calls.push('open');
    this.restricted = false;
  }
}
