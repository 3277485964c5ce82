import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthError } from '../../domain/auth-error.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';
import type { Logger } from '../../ports/logger.js';
import type { PassphraseHasher } from '../../ports/passphrase-hasher.js';
import { identityMismatch, type DaemonIdentityPaths } from '../crypto/daemon-identity.js';
import { splitPemCertificates } from '../crypto/pem-certificates.js';
import type { PemKeyPair } from '../crypto/x509-keys.js';
import { errorCode } from '../fs/error-code.js';
import { IniFileSettingsStore } from '../stores/ini-file-settings-store.js';
import { multipassClientsFile, multipassIdentityPaths, type MultipassLocations } from './multipass-locations.js';

const PASSPHRASE_KEY = 'local.passphrase';

/** What a Multipass install holds, read and checked, ready to be adopted. */
export interface MultipassInstall {
  readonly locations: MultipassLocations;
  /** Undefined when Multipass has no trusted clients file (nobody trusted yet). */
  readonly clients: { readonly file: string; readonly certificates: readonly TrustedCertificate[]; readonly corrupt: number } | undefined;
  /** As Multipass stored it (its unsalted hex); undefined when none is set. */
  readonly passphraseHash: string | undefined;
  /** Undefined when it has none (or it was not asked for). */
  readonly identity: { readonly paths: DaemonIdentityPaths; readonly root: PemKeyPair; readonly server: PemKeyPair } | undefined;
}

/** The source cannot be adopted as it is: missing, incomplete, unreadable or damaged. For the admin. */
export class MultipassImportError extends Error {
  override name = 'MultipassImportError';
}

/** A directory with Multipass's trusted clients or certificates in it. */
export function looksLikeMultipass(dataDir: string): boolean {
  return ['authenticated-certs', 'certificates'].some((name) => statSync(join(dataDir, name), { throwIfNoEntry: false })?.isDirectory() === true);
}

/**
 * Reads a Multipass install without changing anything in it (links in it are followed: these
 * are Multipass's files, only read). Everything found is checked before anything is adopted.
 * @throws MultipassImportError naming the file and what is wrong with it.
 */
export async function readMultipassInstall(
  locations: MultipassLocations,
  options: { readonly hasher: PassphraseHasher; readonly logger: Logger; readonly skipIdentity?: boolean },
): Promise<MultipassInstall> {
  requireDataDir(locations.dataDir);
  return {
    locations,
    clients: await readClients(multipassClientsFile(locations.dataDir)),
    passphraseHash: await readPassphraseHash(locations.settingsFile, options.hasher, options.logger),
    identity: options.skipIdentity === true ? undefined : await readIdentity(multipassIdentityPaths(locations.dataDir, locations.rootCertDir)),
  };
}

function requireDataDir(dataDir: string): void {
  const stats = statSync(dataDir, { throwIfNoEntry: false });
  if (stats === undefined) throw new MultipassImportError(`no Multipass data directory at '${dataDir}' (give another one with --from)`);
  if (!stats.isDirectory()) throw new MultipassImportError(`'${dataDir}' is not a directory`);
  if (!looksLikeMultipass(dataDir)) {
    throw new MultipassImportError(`'${dataDir}' does not look like a Multipass data directory: it has neither authenticated-certs/ nor certificates/`);
  }
}

async function readClients(file: string): Promise<MultipassInstall['clients']> {
  const text = await readOptional(file, 'the trusted clients file');
  if (text === undefined) return undefined;
  const { certificates, skipped } = splitPemCertificates(text);
  if (certificates.length === 0 && text.trim() !== '') {
    throw new MultipassImportError(`the trusted clients file '${file}' holds no valid certificate: it is damaged`);
  }
  return { file, certificates, corrupt: skipped.length };
}

async function readPassphraseHash(file: string, hasher: PassphraseHasher, logger: Logger): Promise<string | undefined> {
  let hash: string | undefined;
  try {
    hash = await new IniFileSettingsStore(file, logger).get(PASSPHRASE_KEY);
  } catch (error) {
    throw new MultipassImportError(AuthError.is(error) ? error.message : `cannot read the settings file '${file}': ${String(error)}`);
  }
  if (hash === undefined || hash === '') return undefined;
  if (!hasher.recognises(hash)) {
    throw new MultipassImportError(`the passphrase hash under '${PASSPHRASE_KEY}' in '${file}' is not in a format multipassd recognises`);
  }
  return hash;
}

async function readIdentity(paths: DaemonIdentityPaths): Promise<MultipassInstall['identity']> {
  const [rootCert, rootKey, serverCert, serverKey] = await Promise.all(
    [paths.rootCert, paths.rootKey, paths.serverCert, paths.serverKey].map((path) => readOptional(path, 'a daemon identity file')),
  );
  const found = { rootCert, rootKey, serverCert, serverKey };
  const missing = Object.entries(found).filter(([, text]) => text === undefined).map(([name]) => paths[name as keyof DaemonIdentityPaths]);
  if (missing.length === 4) return undefined;
  if (missing.length > 0) {
    throw new MultipassImportError(
      `Multipass's daemon identity is incomplete: ${missing.map((path) => `'${path}'`).join(', ')} missing. ` +
        "Start Multipass's daemon once to have it complete them, or adopt the rest with --skip-identity (multipassd then makes its own).",
    );
  }
  const root = { certPem: rootCert!, keyPem: rootKey! };
  const server = { certPem: serverCert!, keyPem: serverKey! };
  const problem = identityMismatch(root, server);
  if (problem !== undefined) {
    throw new MultipassImportError(`Multipass's daemon identity (${paths.rootCert}, ${paths.serverCert}) cannot be used: ${problem}`);
  }
  return { paths, root, server };
}

async function readOptional(path: string, what: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new MultipassImportError(`cannot read ${what} '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
}
