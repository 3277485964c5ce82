/** Tokens for composition-root values that are not ports. */
export const DaemonConfigToken = Symbol('DaemonConfig');
export const ListenerToken = Symbol('Listener');
export const VersionToken = Symbol('Version');
export const AdminGroupToken = Symbol('AdminGroup');
