import { join } from 'node:path';

/** Our own names for the daemon's identity files, all in one directory (`<data>/certificate/`). */
export const DAEMON_IDENTITY_FILES = {
  rootCert: 'multipass_root_cert.pem',
  rootKey: 'multipass_root_cert_key.pem',
  serverCert: 'localhost.pem',
  serverKey: 'localhost_key.pem',
} as const;

/** Where each identity file is: all in one directory (ours), or spread as Multipass keeps them. */
export interface DaemonIdentityPaths {
  readonly rootCert: string;
  readonly rootKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

/** Our own layout: the four files of DAEMON_IDENTITY_FILES in `dir`. */
export function identityPathsIn(dir: string): DaemonIdentityPaths {
  return {
    rootCert: join(dir, DAEMON_IDENTITY_FILES.rootCert),
    rootKey: join(dir, DAEMON_IDENTITY_FILES.rootKey),
    serverCert: join(dir, DAEMON_IDENTITY_FILES.serverCert),
    serverKey: join(dir, DAEMON_IDENTITY_FILES.serverKey),
  };
}
