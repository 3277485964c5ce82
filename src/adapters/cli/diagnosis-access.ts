import type { ClientTrace } from '../rpc/client-trace.js';
import type { WhoamiClient } from '../rpc/whoami.js';
import type { ClientCredentials, ClientTarget, ProvidedIdentity } from './client-options.js';

export type WhoamiClientFactory = (credentials: ClientCredentials) => Promise<WhoamiClient>;

/**
 * What `multipass whoami` and `multipass doctor` need beyond the Multipass RPCs: where the
 * daemon and this user's identity are looked for, and a client of the daemon's own
 * `multipassd.Client` service. Built by the composition root, like DaemonAccess.
 */
export interface DiagnosisAccess {
  /** Where the daemon, its root CA and this user's identity are (resolved as every command resolves them). */
  target(): ClientTarget;
  /** This user's client certificate and key, made on first use as every command makes them. */
  identity(): Promise<ProvidedIdentity>;
  /**
   * Reads the root CA, makes or loads this user's identity, then opens the whoami client.
   * Rejects as DaemonAccess.connect does (`RpcFailure`, `ClientSetupFailure`); `trace` as there (-v ...).
   */
  connectWhoami(trace?: ClientTrace): Promise<WhoamiClient>;
}
