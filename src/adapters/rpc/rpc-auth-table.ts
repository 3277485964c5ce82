/**
 * Route policy as data (after LXD): which RPCs need a trusted caller. `requiresTrust` admits a
 * trusted caller, or bootstraps the first admin on an empty store; `verifyOnly` admits a
 * trusted caller and never bootstraps (Multipass's `ping` never adds a certificate);
 * `allowUntrusted` is `authenticate`, how an untrusted client becomes trusted. A method
 * missing from this table is refused, so a new RPC cannot be exposed by accident.
 */
export type RoutePolicy = 'requiresTrust' | 'verifyOnly' | 'allowUntrusted';

export const RPC_AUTH_TABLE: Readonly<Record<string, RoutePolicy>> = {
  ping: 'verifyOnly',
  version: 'requiresTrust',
  list: 'requiresTrust',
  get: 'requiresTrust',
  set: 'requiresTrust',
  keys: 'requiresTrust',
  authenticate: 'allowUntrusted',
};
