/**
 * Route policy as data (after LXD): which RPCs need a trusted caller. Everything needs trust
 * except `authenticate`, which is how an untrusted client becomes trusted. A method missing
 * from this table is refused, so a new RPC cannot be exposed by accident.
 */
export type RoutePolicy = 'requiresTrust' | 'allowUntrusted';

export const RPC_AUTH_TABLE: Readonly<Record<string, RoutePolicy>> = {
  ping: 'requiresTrust',
  version: 'requiresTrust',
  list: 'requiresTrust',
  get: 'requiresTrust',
  set: 'requiresTrust',
  keys: 'requiresTrust',
  authenticate: 'allowUntrusted',
};
