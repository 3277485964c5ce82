/**
 * Route policy as data (after LXD): which RPCs need a trusted caller. `requiresTrust` admits a
 * trusted caller, or bootstraps the first admin on an empty store; `verifyOnly` admits a
 * trusted caller and never bootstraps (Multipass's `ping` never adds a certificate);
 * `allowUntrusted` is `authenticate`, how an untrusted client becomes trusted, and `whoami`,
 * how it learns why it is not; `adminPeer` needs a caller the kernel reports as root, the
 * daemon's user or the admin group, whatever certificate it shows. A method missing from this
 * table is refused, so a new RPC cannot be exposed by accident.
 *
 * `multipass.Rpc`'s methods are named bare, as Multipass names them; those of our own
 * services (multipassd.proto) by `Service.method`.
 */
export type RoutePolicy = 'requiresTrust' | 'verifyOnly' | 'allowUntrusted' | 'adminPeer';

export const RPC_AUTH_TABLE: Readonly<Record<string, RoutePolicy>> = {
  ping: 'verifyOnly',
  version: 'requiresTrust',
  list: 'requiresTrust',
  get: 'requiresTrust',
  set: 'requiresTrust',
  keys: 'requiresTrust',
  authenticate: 'allowUntrusted',
  'Client.whoami': 'allowUntrusted',
  'TrustAdmin.list': 'adminPeer',
  'TrustAdmin.show': 'adminPeer',
  'TrustAdmin.add': 'adminPeer',
  'TrustAdmin.remove': 'adminPeer',
  'TrustAdmin.label': 'adminPeer',
};
