import { createHash, scryptSync } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createEcCertificate, type PemKeyPair } from '../../src/adapters/crypto/x509-keys.js';
import { multipassClientsFile, multipassIdentityPaths, type MultipassLocations } from '../../src/adapters/multipass/multipass-locations.js';
import { multipassDefaults } from '../../src/app/paths.js';
import { testCertificatePool, type TestCertificate } from './test-certificates.js';

/** A Multipass install laid out under a temp dir, with everything made by the test. */
export interface MultipassFixture {
  /** The prefix everything is under: MULTIPASSD_MULTIPASS_ROOT for the daemon. */
  readonly root: string;
  readonly locations: MultipassLocations;
  /** Multipass's trusted clients, each with its key. */
  readonly clients: readonly TestCertificate[];
  readonly passphrase: string;
  /** As Multipass stores it: unsalted scrypt, lowercase hex. */
  readonly passphraseHash: string;
  readonly rootCertPath: string;
  readonly rootCa: PemKeyPair;
  readonly server: PemKeyPair;
  readonly settingsText: string;
  /** Content and mode of every file and the names in every directory under `root`. */
  snapshot(): Record<string, string>;
  /** `import-multipass` flags that point at this fixture without the prefix. */
  readonly importFlags: readonly string[];
}

export interface FixtureOptions {
  readonly kind?: 'snap' | 'native';
  readonly clients?: number;
  readonly passphrase?: string;
  /** Leave out Multipass's daemon identity (an install that never made one). */
  readonly withoutIdentity?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
// Multipass's modes: certificates owner_all|group_read|others_read, keys ReadOwner.
const CERT_MODE = 0o744;
const KEY_MODE = 0o400;

/**
 * Multipass's hash: scrypt of the passphrase (UTF-8 cut to its UTF-16 length), empty salt,
 * N=2^14, r=8, p=1, 64 bytes, lowercase hex (Utils::generate_scrypt_hash_for).
 */
export function multipassPassphraseHash(passphrase: string): string {
  const bytes = Buffer.from(passphrase, 'utf8').subarray(0, passphrase.length);
  return scryptSync(bytes, Buffer.alloc(0), 64, { N: 2 ** 14, r: 8, p: 1 }).toString('hex');
}

/**
 * Lays out a Multipass install under `root` at Multipass's own paths (see multipassDefaults):
 * the trusted clients file, the QSettings settings file with the passphrase hash among other
 * keys and a comment, the root CA where Multipass's CLI reads it and the server certificate
 * and keys in `certificates/`.
 */
export async function makeMultipassFixture(root: string, options: FixtureOptions = {}): Promise<MultipassFixture> {
  const locations = multipassDefaults(root)[options.kind ?? 'native'];
  const clients = await testCertificatePool(options.clients ?? 3);
  const passphrase = options.passphrase ?? 'the multipass passphrase';
  const passphraseHash = multipassPassphraseHash(passphrase);
  const identity = multipassIdentityPaths(locations.dataDir, locations.rootCertDir);
  const now = Date.now();
  const rootCa = await createEcCertificate({
    profile: 'root-ca',
    subject: 'C=US, O=Canonical, CN=Multipass Root CA',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
  });
  const server = await createEcCertificate({
    profile: 'server',
    subject: 'C=US, O=Canonical, CN=localhost',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    dnsNames: ['localhost'],
    issuer: rootCa,
  });
  const settingsText = [
    '; Multipass daemon settings (QSettings); this comment was added by hand',
    '[General]',
    'local.bridged-network=',
    'local.driver=qemu',
    `local.passphrase=${passphraseHash}`,
    'local.privileged-mounts=true',
    '',
  ].join('\n');

  write(multipassClientsFile(locations.dataDir), clients.map((client) => client.pem).join(''), 0o600);
  write(locations.settingsFile, settingsText, 0o644);
  if (options.withoutIdentity !== true) {
    write(identity.rootCert, rootCa.certPem, CERT_MODE);
    write(identity.rootKey, rootCa.keyPem, KEY_MODE);
    write(identity.serverCert, server.certPem, CERT_MODE);
    write(identity.serverKey, server.keyPem, KEY_MODE);
  }
  return {
    root,
    locations,
    clients,
    passphrase,
    passphraseHash,
    rootCertPath: identity.rootCert,
    rootCa,
    server,
    settingsText,
    snapshot: () => snapshotOf(root),
    importFlags: ['--from', locations.dataDir, '--settings', locations.settingsFile, '--root-cert-dir', locations.rootCertDir],
  };
}

function write(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

function snapshotOf(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const visit = (path: string): void => {
    const stats = statSync(path);
    const name = relative(root, path) || '.';
    const mode = (stats.mode & 0o7777).toString(8);
    if (stats.isDirectory()) {
      const entries = readdirSync(path).sort();
      result[name] = `dir ${mode} ${entries.join(',')}`;
      for (const entry of entries) visit(join(path, entry));
    } else {
      result[name] = `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    }
  };
  visit(root);
  return result;
}
