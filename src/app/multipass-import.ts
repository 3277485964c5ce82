import { dirname } from 'node:path';
import type { DaemonIdentityPaths } from '../adapters/crypto/daemon-identity-paths.js';
import { ScryptPassphraseHasher } from '../adapters/crypto/scrypt-passphrase-hasher.js';
import { writeFileAtomic } from '../adapters/fs/atomic-write.js';
import { readIfPresent } from '../adapters/fs/read-if-present.js';
import { sameFile } from '../adapters/fs/same-file.js';
import { ensureTrustedDirectory } from '../adapters/fs/trusted-directory.js';
import { MultipassImportError, readMultipassInstall, type MultipassInstall } from '../adapters/multipass/multipass-install.js';
import type { MultipassLocations } from '../adapters/multipass/multipass-locations.js';
import { PASSPHRASE_KEY } from '../domain/passphrase-vault.js';
import type { Logger } from '../ports/logger.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { daemonIdentityPaths, pemCertStorePath } from './paths.js';
import { withStores } from './store-session.js';

export { MultipassImportError };

/** What happened to each part; `kept` means ours differed and was left alone (see `force`). */
export interface ImportReport {
  readonly source: MultipassLocations;
  readonly clients: { readonly file?: string; readonly found: number; readonly added: number; readonly corrupt: number; readonly shared: boolean };
  readonly passphrase: 'imported' | 'unchanged' | 'kept' | 'none';
  readonly identity: 'imported' | 'in-place' | 'unchanged' | 'kept' | 'none' | 'skipped';
  /** Where this daemon's identity is (for its layout). */
  readonly identityPaths: DaemonIdentityPaths;
}

export interface ImportOptions {
  /** Replace a passphrase or daemon identity this daemon already has with Multipass's. */
  readonly force?: boolean;
  /** Leave the daemon identity out (this daemon keeps or makes its own). */
  readonly skipIdentity?: boolean;
  readonly logger: Logger;
}

const PUBLIC_MODE = 0o644;
const PRIVATE_MODE = 0o600;
const DIR_MODE = 0o755;
const IDENTITY_DIR = { name: "a directory of the daemon's certificates", option: '--data-dir or --layout' };

/**
 * Adopts a Multipass install into the configured stores and layout, changing nothing of
 * Multipass's: trusted clients are added (one atomic, idempotent write), the passphrase hash
 * is copied as it is (Multipass's unsalted hash, replaced by a salted one at its first
 * successful use), and the daemon identity (root CA and server certificate, with their keys)
 * is copied to where this daemon keeps it, unless it is there already. Everything is read and
 * checked before anything is written, and read back afterwards. Safe to run again: what is
 * already here is left alone, and a passphrase or identity of this daemon's own that differs
 * is kept unless `force`.
 * @throws MultipassImportError when the source is missing, incomplete or damaged.
 */
export async function importMultipass(config: DaemonConfig, source: MultipassLocations, options: ImportOptions): Promise<ImportReport> {
  const install = await readMultipassInstall(source, {
    hasher: new ScryptPassphraseHasher(),
    logger: options.logger,
    skipIdentity: options.skipIdentity === true,
  });
  const force = options.force === true;
  const shared = install.clients !== undefined && config.store === 'pem' && sameFile(install.clients.file, pemCertStorePath(config.dataDir));
  const certificates = install.clients?.certificates ?? [];

  const { added, passphrase } = await withStores(config, async ({ certs, settings }) => {
    // Recorded as imported, with the time of the import (Multipass kept no record of how or when).
    const addedNow = shared ? 0 : await certs.addAll(certificates, { via: 'import', at: new Date() });
    const current = await settings.get(PASSPHRASE_KEY);
    const hash = install.passphraseHash;
    let outcome: ImportReport['passphrase'];
    if (hash === undefined) outcome = 'none';
    else if (current === hash) outcome = 'unchanged';
    else if (current !== undefined && current !== '' && !force) outcome = 'kept';
    else outcome = 'imported';
    if (outcome === 'imported') await settings.set(PASSPHRASE_KEY, hash!);
    return { added: addedNow, passphrase: outcome };
  });

  const identityPaths = daemonIdentityPaths(config);
  const identity = options.skipIdentity === true ? 'skipped' : await adoptIdentity(install, identityPaths, force);
  await verify(config, install, passphrase);
  return {
    source,
    clients: { file: install.clients?.file, found: certificates.length, added, corrupt: install.clients?.corrupt ?? 0, shared },
    passphrase,
    identity,
    identityPaths,
  };
}

async function adoptIdentity(install: MultipassInstall, target: DaemonIdentityPaths, force: boolean): Promise<ImportReport['identity']> {
  if (install.identity === undefined) return 'none';
  const { paths: source, root, server } = install.identity;
  const files: ReadonlyArray<readonly [keyof DaemonIdentityPaths, string, number]> = [
    ['rootKey', root.keyPem, PRIVATE_MODE],
    ['rootCert', root.certPem, PUBLIC_MODE],
    ['serverKey', server.keyPem, PRIVATE_MODE],
    ['serverCert', server.certPem, PUBLIC_MODE],
  ];
  // With the multipass layout and Multipass's own data dir, some or all are the very same files.
  const pending = files.filter(([name]) => !sameFile(source[name], target[name]));
  if (pending.length === 0) return 'in-place';
  const current = await Promise.all(pending.map(([name]) => readIfPresent(target[name])));
  if (pending.every(([, text], i) => current[i] === text)) return 'unchanged';
  const ours = pending.some(([, text], i) => current[i] !== undefined && current[i] !== text);
  if (ours && !force) return 'kept';
  for (const dir of new Set(pending.map(([name]) => dirname(target[name])))) {
    ensureTrustedDirectory(dir, DIR_MODE, IDENTITY_DIR);
  }
  // Keys before certificates and the root before the server: a crash in between leaves what
  // the daemon repairs at start (a server certificate from another root is reissued).
  for (const [name, text, mode] of pending) await writeFileAtomic(target[name], text, mode, { dirMode: DIR_MODE });
  return 'imported';
}

/** Reads the copy back through fresh stores, as migrate-store does, before reporting success. */
async function verify(config: DaemonConfig, install: MultipassInstall, passphrase: ImportReport['passphrase']): Promise<void> {
  const problem = await withStores(config, async ({ certs, settings }) => {
    const missing = (install.clients?.certificates ?? []).filter((cert) => !certs.contains(cert.fingerprint));
    if (missing.length > 0) return `${missing.length} certificate(s) did not reach the ${config.store} store`;
    if (passphrase === 'imported' && (await settings.get(PASSPHRASE_KEY)) !== install.passphraseHash) return 'the passphrase hash differs';
    return undefined;
  });
  if (problem !== undefined) throw new MultipassImportError(`verification failed: ${problem}`);
}
