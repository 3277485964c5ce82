export const SocketAccess = Symbol('SocketAccess');

/**
 * The transport's OS-level access control. On the Unix socket, "restricted" means only the
 * owner and the admin group may connect (mode 0660), so the first caller on an empty store can
 * be trusted without a passphrase. TCP has no such restriction: `isRestricted()` is always false.
 */
export interface SocketAccess {
  /** False for a transport the OS cannot restrict (TCP): `restrict()` is then a no-op. */
  readonly restrictable: boolean;
  isRestricted(): boolean;
  /** Limits connections to the owner and the admin group. Idempotent. */
  restrict(): Promise<void>;
  /** Lets every local user connect (they still need a trusted certificate). Idempotent. */
  open(): Promise<void>;
}
