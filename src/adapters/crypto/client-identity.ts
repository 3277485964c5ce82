import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '../fs/atomic-write.js';
import { chmodNoFollow } from '../fs/no-follow.js';
import { readIfPresent } from '../fs/read-if-present.js';
import { CLIENT_CERT_FILE, CLIENT_KEY_FILE } from './client-identity-files.js';

/** The key pair the CLI presents to the daemon (Multipass's file names and location). */
export interface ClientIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  /** Set when the existing certificate, kept in use, is past its end date. */
  readonly expiredOn?: Date;
}

export { CLIENT_CERT_FILE, CLIENT_KEY_FILE };

const DAY_MS = 24 * 60 * 60 * 1000;
// The daemon trusts this exact certificate; replacing it means enrolling again, so it lasts.
const VALIDITY_MS = 20 * 365 * DAY_MS;
// The daemon checks notBefore against its own clock; a day absorbs any sane skew.
const BACKDATE_MS = DAY_MS;

const DIR_MODE = 0o700;
const CERT_MODE = 0o644;
const KEY_MODE = 0o600;

/**
 * Returns the CLI's client certificate and key from `dir`, creating them on first use.
 * Existing files are reused as they are, whatever their dates: the daemon trusts that exact
 * certificate (a pin), and a new one would throw that trust away, so an expired certificate
 * is kept and reported (`expiredOn`), for the user to renew deliberately. Only a pair that is
 * missing, unreadable as PEM or mismatched is replaced: it cannot be used at all.
 * Runs on every CLI command: the reuse path loads only node built-ins, and the certificate
 * library is imported only when a certificate has to be made.
 */
export async function ensureClientIdentity(dir: string): Promise<ClientIdentity> {
  const certPath = join(dir, CLIENT_CERT_FILE);
  const keyPath = join(dir, CLIENT_KEY_FILE);
  // The user's own files in the user's own home: links they made are theirs to make.
  const [certPem, keyPem] = await Promise.all([certPath, keyPath].map((path) => readIfPresent(path, { followLinks: true })));
  const notAfter = certPem === undefined || keyPem === undefined ? undefined : usable(certPem, keyPem);
  if (certPem !== undefined && keyPem !== undefined && notAfter !== undefined) {
    await keepKeyPrivate(keyPath);
    return notAfter.getTime() < Date.now() ? { certPem, keyPem, expiredOn: notAfter } : { certPem, keyPem };
  }

  const { createEcCertificate } = await import('./x509-keys.js');
  const now = Date.now();
  const created = await createEcCertificate({
    profile: 'client',
    subject: `CN=multipass-client-${randomUUID()}, O=multipassd-auth`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + VALIDITY_MS),
  });
  const options = { dirMode: DIR_MODE, allowLinks: true };
  await ensureDir(dir, DIR_MODE, options);
  // Key first: a crash in between leaves a key without a certificate, which is replaced next time.
  await writeFileAtomic(keyPath, created.keyPem, KEY_MODE, options);
  await writeFileAtomic(certPath, created.certPem, CERT_MODE, options);
  return { certPem: created.certPem, keyPem: created.keyPem };
}

/**
 * Anyone who can read the key can act as this user towards the daemon. A key reached through
 * a link is left as it is: a chmod would land on whatever the link names.
 */
async function keepKeyPrivate(keyPath: string): Promise<void> {
  if (process.platform === 'win32') return;
  const stats = await lstat(keyPath);
  if (stats.isFile() && (stats.mode & 0o077) !== 0) chmodNoFollow(keyPath, KEY_MODE, 'regular file');
}

/** The certificate's end date when the pair can be used (it parses and the key is its own). */
function usable(certPem: string, keyPem: string): Date | undefined {
  try {
    const cert = new X509Certificate(certPem);
    return cert.checkPrivateKey(createPrivateKey(keyPem)) ? new Date(cert.validTo) : undefined;
  } catch {
    return undefined;
  }
}

