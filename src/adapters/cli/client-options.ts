import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIENT_CERT_FILE } from '../crypto/client-identity-files.js';
import type { ClientTrace } from '../rpc/client-trace.js';
import { RpcFailure, type LogLineSink, type MultipassClient } from '../rpc/multipass-client.js';

/**
 * How the CLI reaches the daemon. Resolution, in order:
 * - address: `MULTIPASS_SERVER_ADDRESS` (Multipass's own variable; a bare absolute path is a
 *   Unix socket, never a host name), else the default location;
 * - root CA: `MULTIPASS_ROOT_CERT`, else the default location's root certificate (the daemon
 *   writes it world-readable under its data dir on first start);
 * - client identity: the per-user directory, created on first use.
 * The defaults come from the composition root (adapters may not import src/app), lazily:
 * finding them looks at the file system, which `help` never needs.
 *
 * A root certificate that cannot be read is its own failure, not "cannot connect": the daemon
 * may well be running, and the fix (MULTIPASS_ROOT_CERT, or permissions) is different. It is
 * still a daemon-side problem for the exit code (3). The CA is read before the identity is
 * made, so a misconfigured CLI does not write files.
 */

export interface DaemonLocation {
  readonly address: string;
  readonly rootCertPath: string;
}

export interface ClientTarget extends DaemonLocation {
  /** Where this user's client certificate and key live. */
  readonly identityDir: string;
}

/** `unix:/run/multipass_socket` -> `/run/multipass_socket`; a TCP `host:port` stays as it is. */
export function socketPathOf(address: string): string {
  if (!address.startsWith('unix:')) return address;
  const path = address.slice('unix:'.length);
  return path.startsWith('//') ? path.slice(2) : path;
}

/** What a client needs to connect: the same shape as the gRPC client's options. */
export interface ClientCredentials {
  readonly address: string;
  readonly rootCertPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** What `-v` ... `-vvvv` show of the connection and the calls. */
  readonly trace?: ClientTrace | undefined;
}

export type ClientFactory = (credentials: ClientCredentials, onLogLine: LogLineSink) => Promise<MultipassClient>;

export interface ProvidedIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  /** Set when the certificate kept in use is past its end date. */
  readonly expiredOn?: Date;
}

export type IdentityProvider = (dir: string) => Promise<ProvidedIdentity>;

export type ClientSetupProblem = 'root-cert-unreadable' | 'identity-unavailable';

/** The CLI could not prepare a connection: nothing was sent to the daemon. */
export class ClientSetupFailure extends Error {
  constructor(
    readonly problem: ClientSetupProblem,
    /** The file or directory concerned. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${problem}: ${path}`, options);
    this.name = 'ClientSetupFailure';
  }
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/** `/path` -> `unix:/path`: gRPC would take a bare path for a DNS name. */
const withScheme = (address: string | undefined): string | undefined =>
  address?.startsWith('/') === true ? `unix:${address}` : address;

export function resolveClientTarget(
  vars: Readonly<Record<string, string | undefined>>,
  defaults: () => DaemonLocation,
  identityDir: string,
): ClientTarget {
  const address = withScheme(nonEmpty(vars.MULTIPASS_SERVER_ADDRESS));
  const rootCertPath = nonEmpty(vars.MULTIPASS_ROOT_CERT);
  if (address !== undefined && rootCertPath !== undefined) return { address, rootCertPath, identityDir };
  const fallback = defaults();
  return { address: address ?? fallback.address, rootCertPath: rootCertPath ?? fallback.rootCertPath, identityDir };
}

/**
 * What the CLI says when it keeps using an expired certificate. Renewal is the user's
 * decision: a new certificate is a new identity, which must be trusted again.
 */
export const expiredCertificateNotice = (identityDir: string, expiredOn: Date): string =>
  `warning: the client certificate in '${identityDir}' expired on ${expiredOn.toISOString().slice(0, 10)} and is still used; ` +
  "to renew it, delete multipass_cert.pem and multipass_cert_key.pem there and run 'multipass authenticate' again\n";

/**
 * Reads the root CA, makes or loads this user's identity, then opens a client (of
 * `multipass.Rpc`, or of another service with the same credentials). `stderr`
 * receives the daemon's log lines and the expired-certificate notice.
 */
export async function connectToDaemon<Client = MultipassClient>(
  target: ClientTarget,
  createClient: (credentials: ClientCredentials, onLogLine: LogLineSink) => Promise<Client>,
  ensureIdentity: IdentityProvider,
  stderr: LogLineSink,
  trace?: ClientTrace,
): Promise<Client> {
  trace?.(1, `daemon address: ${target.address}`);
  trace?.(1, `daemon root certificate: ${target.rootCertPath}`);
  let rootCertPem: string;
  try {
    rootCertPem = await readFile(target.rootCertPath, 'utf8');
  } catch (cause) {
    // No CA and no socket is the plain "no daemon" case (it has never started): say that.
    if (target.address.startsWith('unix:') && !existsSync(socketPathOf(target.address))) {
      throw new RpcFailure('UNAVAILABLE', `no socket at '${socketPathOf(target.address)}'`, 'cannot-connect');
    }
    throw new ClientSetupFailure('root-cert-unreadable', target.rootCertPath, { cause });
  }
  let identity: ProvidedIdentity;
  try {
    identity = await ensureIdentity(target.identityDir);
  } catch (cause) {
    throw new ClientSetupFailure('identity-unavailable', target.identityDir, { cause });
  }
  if (identity.expiredOn !== undefined) stderr(expiredCertificateNotice(target.identityDir, identity.expiredOn));
  trace?.(1, `client certificate: ${join(target.identityDir, CLIENT_CERT_FILE)}`);
  return createClient(
    { address: target.address, rootCertPem, clientCertPem: identity.certPem, clientKeyPem: identity.keyPem, ...(trace === undefined ? {} : { trace }) },
    stderr,
  );
}
