import { dirname, join } from 'node:path';
import { lockPathOf } from '../adapters/fs/file-lock.js';
import { lstatIfPresent, refuseLink } from '../adapters/fs/no-follow.js';
import { resolveOwnLink } from '../adapters/fs/own-link.js';
import { ensureTrustedDirectory, type DirectoryRole } from '../adapters/fs/trusted-directory.js';
import { SETTINGS_LINK_TARGET } from '../adapters/stores/ini-file-settings-store.js';
import { certificateDir, pemCertStorePath, settingsFilePath } from './paths.js';

const DATA_DIR: DirectoryRole = { name: 'the data directory', option: '--data-dir' };
// Readable by all: non-root CLIs must reach certificate/multipass_root_cert.pem inside it.
const DATA_DIR_MODE = 0o755;

/**
 * Creates the data directory if missing, and refuses (UnsafePathError, for the admin) when
 * another user could change it or a link sits where the daemon keeps its own directories and
 * files. Writes refuse such links anyway; checking here makes the daemon refuse to start
 * rather than fail at the first write, and covers the files the stores read by name.
 * (Anything else there, say a directory for a file, is for the store to report.) The one
 * link allowed is an admin's at `multipassd.conf`, whose content is written through it: made
 * by root or the daemon's user and leading to a directory nobody else can change.
 */
export function prepareDataDir(dataDir: string): void {
  ensureTrustedDirectory(dataDir, DATA_DIR_MODE, DATA_DIR);
  const certs = pemCertStorePath(dataDir);
  const settings = settingsFilePath(dataDir);
  const refused = [certificateDir(dataDir), join(dataDir, 'certificates'), dirname(certs), certs, lockPathOf(certs), lockPathOf(settings)];
  for (const path of refused) refuseLink(path);
  if (lstatIfPresent(settings)?.isSymbolicLink() === true) resolveOwnLink(settings, SETTINGS_LINK_TARGET);
}
