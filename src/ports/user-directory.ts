export const UserDirectory = Symbol('UserDirectory');

/**
 * The operating system's accounts, as far as the daemon needs them: a name for a uid in log
 * lines, and whether a peer belongs to the administrators who may bootstrap trust.
 */
export interface UserDirectory {
  /** The account name of `uid`, or undefined when the system has none. Never throws. */
  userName(uid: number): Promise<string | undefined>;

  /**
   * True for root, for the daemon's own user, and for members of the admin group (the socket
   * group): by the peer's group as the kernel reported it, the account's primary group, or
   * the group's member list. Never throws: when in doubt, false.
   */
  isAdmin(uid: number, gid: number): Promise<boolean>;
}
