import { join } from 'node:path';
import type { DaemonIdentityPaths } from '../crypto/daemon-identity-paths.js';

/**
 * Where a Multipass install keeps what multipassd adopts, for one kind of install (Multipass's
 * source: the data dir from XDG_DATA_HOME, the settings from DAEMON_CONFIG_HOME, the root CA
 * from Platform::get_root_cert_dir).
 */
export interface MultipassLocations {
  readonly kind: 'snap' | 'native';
  /** Holds authenticated-certs/ and certificates/. */
  readonly dataDir: string;
  /** The QSettings INI file with `local.passphrase` in its [General] group. */
  readonly settingsFile: string;
  /** Holds multipass_root_cert.pem, where the Multipass CLI reads it to verify the daemon. */
  readonly rootCertDir: string;
}

/** The trusted clients file in a Multipass data dir (ClientCertStore). */
export const multipassClientsFile = (dataDir: string): string => join(dataDir, 'authenticated-certs', 'multipass_client_certs.pem');

/** Multipass's identity files (SSLCertProvider for server name `localhost`, and the root CA the CLI reads). */
export function multipassIdentityPaths(dataDir: string, rootCertDir: string): DaemonIdentityPaths {
  const certificates = join(dataDir, 'certificates');
  return {
    rootCert: join(rootCertDir, 'multipass_root_cert.pem'),
    rootKey: join(certificates, 'localhost_root_key.pem'),
    serverCert: join(certificates, 'localhost.pem'),
    serverKey: join(certificates, 'localhost_key.pem'),
  };
}
