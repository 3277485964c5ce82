import { dirname } from 'node:path';
import { lockPathOf } from '../adapters/fs/file-lock.js';
import { refuseLink } from '../adapters/fs/no-follow.js';
import { ensureTrustedDirectory, type DirectoryRole } from '../adapters/fs/trusted-directory.js';
import { certificateDir, pemCertStorePath, settingsFilePath } from './paths.js';

const DATA_DIR: DirectoryRole = { name: 'the data directory', option: '--data-dir' };
// Readable by all: non-root CLIs must reach certificate/multipass_root_cert.pem inside it.
const DATA_DIR_MODE = 0o755;

/**
 * Creates the data directory if missing, and refuses (UnsafePathError, for the admin) when
 * another user could change it or a link sits where the daemon keeps its own directories and
 * files. Writes refuse such links anyway; checking here makes the daemon refuse to start
 * rather than fail at the first write, and covers the files the stores read by name.
 * (Anything else there, say a directory for a file, is for the store to report.)
 */
export function prepareDataDir(dataDir: string): void {
  ensureTrustedDirectory(dataDir, DATA_DIR_MODE, DATA_DIR);
  const stores = [pemCertStorePath(dataDir), settingsFilePath(dataDir)];
  for (const path of [certificateDir(dataDir), dirname(stores[0]!), ...stores, ...stores.map(lockPathOf)]) refuseLink(path);
}
