import { createPrivateKey, X509Certificate } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../ports/logger.js';
import { ensureDir, writeFileAtomic } from '../fs/atomic-write.js';
import { chmodNoFollow } from '../fs/no-follow.js';
import { readIfPresent } from '../fs/read-if-present.js';
import { UnsafePathError } from '../fs/unsafe-path-error.js';
import { identityPathsIn, type DaemonIdentityPaths } from './daemon-identity-paths.js';
import type { CertificateSpec, PemKeyPair } from './x509-keys.js';

export { DAEMON_IDENTITY_FILES, identityPathsIn, type DaemonIdentityPaths } from './daemon-identity-paths.js';

/** What the daemon's TLS server presents, and the CA clients verify it against. */
export interface DaemonIdentity {
  readonly rootCertPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ROOT_VALIDITY_MS = 10 * 365 * DAY_MS;
// Short next to the root because reissuing it is invisible to clients (they trust the root).
const SERVER_VALIDITY_MS = 2 * 365 * DAY_MS;
// Reissued this long before expiry, at start and by the running daemon (serverRenewalDue):
// weeks of slack for a daemon that was stopped, or a clock that was wrong, at the due time.
const RENEW_BEFORE_MS = 60 * DAY_MS;
const BACKDATE_MS = 60 * 60 * 1000;

const ROOT_SUBJECT = 'CN=Multipass Root CA, O=multipassd-auth';
const SERVER_SUBJECT = 'CN=localhost, O=multipassd-auth';
export const SERVER_NAME = 'localhost';

// The directory and public certificates are world-readable so that non-root CLIs can verify
// the daemon; private keys are never readable by anyone else, not even while being written.
const DIR_MODE = 0o755;
const PUBLIC_MODE = 0o644;
const PRIVATE_MODE = 0o600;

/**
 * Loads the daemon's root CA and `localhost` server certificate (from a directory of our own,
 * or from where Multipass keeps them), creating what is missing or unusable: no usable root
 * CA (missing, unparseable, expiring, not matching its key) means a new root and server
 * certificate; an unusable server certificate alone is reissued from the existing root, so
 * clients' trust in it survives. Usable files are reused byte for byte (Multipass's too).
 * Directories are made world-readable, so non-root CLIs can read the root CA. No file or
 * directory here is ever reached through a symbolic link: one found where these files belong
 * is refused (UnsafePathError). Called at start and again by the running daemon when
 * `serverRenewalDue` comes, with `now` from its clock; between those it changes nothing.
 */
export async function ensureDaemonIdentity(
  location: string | DaemonIdentityPaths,
  logger?: Logger,
  now: Date = new Date(),
): Promise<DaemonIdentity> {
  const paths = typeof location === 'string' ? identityPathsIn(location) : location;
  const certificateDir = dirname(paths.serverCert);
  for (const dir of new Set([certificateDir, dirname(paths.rootCert)])) {
    await ensureDir(dir, DIR_MODE);
    chmodNoFollow(dir, DIR_MODE, 'directory');
  }

  let root = await readPair(paths.rootCert, paths.rootKey);
  const rootProblem = root === undefined ? 'missing' : rootCaProblem(root, now);
  if (root === undefined || rootProblem !== undefined) {
    logger?.info('creating the daemon root CA', { dir: certificateDir, reason: rootProblem });
    root = await createRootCa(now);
    await writePair(paths.rootCert, paths.rootKey, root);
  } else {
    await keepModes(paths.rootCert, paths.rootKey, logger);
  }

  let server = rootProblem === undefined ? await readPair(paths.serverCert, paths.serverKey) : undefined;
  const serverProblem =
    rootProblem !== undefined ? 'new root CA' : server === undefined ? 'missing' : serverCertificateProblem(server, root, now);
  if (server === undefined || serverProblem !== undefined) {
    logger?.info('issuing the daemon server certificate', { dir: certificateDir, reason: serverProblem });
    server = await issueServerCertificate(root, now);
    await writePair(paths.serverCert, paths.serverKey, server);
  } else {
    await keepModes(paths.serverCert, paths.serverKey, logger);
  }

  return { rootCertPem: root.certPem, serverCertPem: server.certPem, serverKeyPem: server.keyPem };
}

/** When `ensureDaemonIdentity` will reissue this identity's server certificate (and, with it, an expiring root). */
export function serverRenewalDue(identity: DaemonIdentity): Date {
  return new Date(new Date(new X509Certificate(identity.serverCertPem).validTo).getTime() - RENEW_BEFORE_MS);
}

/**
 * The certificate library (@peculiar/x509 and its ASN.1 schemas) costs tens of ms to load:
 * only a start that makes or renews an identity pays for it.
 */
async function createEcCertificate(spec: CertificateSpec): Promise<PemKeyPair> {
  return (await import('./x509-keys.js')).createEcCertificate(spec);
}

function createRootCa(now: Date): Promise<PemKeyPair> {
  return createEcCertificate({
    profile: 'root-ca',
    subject: ROOT_SUBJECT,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + ROOT_VALIDITY_MS),
  });
}

function issueServerCertificate(root: PemKeyPair, now: Date): Promise<PemKeyPair> {
  // A leaf must not outlive its issuer, or clients would reject it before we reissue it.
  const rootExpiry = new Date(new X509Certificate(root.certPem).validTo);
  const notAfter = Math.min(now.getTime() + SERVER_VALIDITY_MS, rootExpiry.getTime());
  return createEcCertificate({
    profile: 'server',
    subject: SERVER_SUBJECT,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfter),
    dnsNames: [SERVER_NAME],
    ipAddresses: ['127.0.0.1', '::1'],
    issuer: root,
  });
}

/**
 * Why two key pairs are not one daemon identity (a CA certificate and the server certificate
 * it signed, each with its own key), or undefined when they are. Dates are not judged here:
 * a certificate near its end is reissued when the daemon starts.
 */
export function identityMismatch(root: PemKeyPair, server: PemKeyPair): string | undefined {
  const rootCa = parse(root);
  if (typeof rootCa === 'string') return `root CA: ${rootCa}`;
  if (!rootCa.cert.ca) return 'root CA: not a CA certificate';
  const leaf = parse(server);
  if (typeof leaf === 'string') return `server certificate: ${leaf}`;
  return leaf.cert.verify(rootCa.cert.publicKey) ? undefined : 'the server certificate is not signed by the root CA';
}

/** Why the stored root CA cannot be used, or undefined when it can. */
function rootCaProblem(root: PemKeyPair, now: Date): string | undefined {
  const parsed = parse(root);
  if (typeof parsed === 'string') return parsed;
  if (!parsed.cert.ca) return 'not a CA certificate';
  return validityProblem(parsed.cert, now);
}

/** Why the stored server certificate cannot be used with `root`, or undefined when it can. */
function serverCertificateProblem(server: PemKeyPair, root: PemKeyPair, now: Date): string | undefined {
  const parsed = parse(server);
  if (typeof parsed === 'string') return parsed;
  if (!parsed.cert.verify(new X509Certificate(root.certPem).publicKey)) return 'not signed by the root CA';
  if (parsed.cert.checkHost(SERVER_NAME) === undefined) return `not valid for ${SERVER_NAME}`;
  return validityProblem(parsed.cert, now);
}

function parse(pair: PemKeyPair): { cert: X509Certificate } | string {
  try {
    const cert = new X509Certificate(pair.certPem);
    return cert.checkPrivateKey(createPrivateKey(pair.keyPem)) ? { cert } : 'certificate does not match its key';
  } catch {
    return 'unparseable';
  }
}

function validityProblem(cert: X509Certificate, now: Date): string | undefined {
  if (new Date(cert.validFrom).getTime() > now.getTime()) return 'not yet valid';
  if (new Date(cert.validTo).getTime() - RENEW_BEFORE_MS < now.getTime()) return 'expired or expiring soon';
  return undefined;
}

/** Both files, or undefined when either is missing; other read errors (a link there) are real failures. */
async function readPair(certPath: string, keyPath: string): Promise<PemKeyPair | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfPresent(certPath), readIfPresent(keyPath)]);
  return certPem === undefined || keyPem === undefined ? undefined : { certPem, keyPem };
}

/** Key first: a crash in between leaves a certificate-less key, which is simply replaced. */
async function writePair(certPath: string, keyPath: string, pair: PemKeyPair): Promise<void> {
  await writeFileAtomic(keyPath, pair.keyPem, PRIVATE_MODE, { dirMode: DIR_MODE });
  await writeFileAtomic(certPath, pair.certPem, PUBLIC_MODE, { dirMode: DIR_MODE });
}

/**
 * Restores the modes of reused files: a key someone loosened by hand must not be served, and a
 * root certificate someone tightened would lock non-root clients out. Only the bits at fault
 * change, so Multipass's own modes (0744 certificates, 0400 keys) stay as they are. Through a
 * descriptor: a link swapped in since the read is refused, never followed.
 */
async function keepModes(certPath: string, keyPath: string, logger?: Logger): Promise<void> {
  const fixes = [
    [keyPath, (mode: number) => mode & ~0o077],
    [certPath, (mode: number) => (mode | 0o444) & ~0o022],
  ] as const;
  for (const [path, fix] of fixes) {
    try {
      const current = lstatSync(path).mode & 0o7777;
      chmodNoFollow(path, fix(current), 'regular file');
    } catch (error) {
      if (error instanceof UnsafePathError) throw error;
      logger?.warn('cannot set the permissions of a daemon identity file', { path, error: String(error) });
    }
  }
}
