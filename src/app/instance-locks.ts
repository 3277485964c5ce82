import { dirname, join } from 'node:path';
import { acquireInstanceLock, type InstanceLock } from '../adapters/fs/instance-lock.js';
import { ensureTrustedDirectory } from '../adapters/fs/trusted-directory.js';
import type { DaemonConfig } from './config/daemon-config.js';
import { prepareDataDir } from './data-dir.js';

/** The lock a daemon holds on its data dir while it runs. */
export const daemonLockPath = (dataDir: string): string => join(dataDir, 'multipassd.lock');

/**
 * One daemon per socket and one per data dir. Taken first, before anything but the socket's
 * directory and the data dir is created (each checked first: no planted link, nobody else can write it), so that a second daemon started at the same moment
 * exits without writing anything (no CA in its data dir, no socket deleted as stale). Offline
 * admin commands (`multipassd trust add`...) do not take these: they run beside the daemon.
 * @throws InstanceLockedError naming the path and the holder's pid.
 */
export async function lockDaemonInstance(config: DaemonConfig): Promise<{ release(): void }> {
  const locks: InstanceLock[] = [];
  const release = () => locks.splice(0).forEach((lock) => lock.release());
  try {
    if (config.address.startsWith('unix:')) {
      const socket = config.address.slice('unix:'.length);
      ensureTrustedDirectory(dirname(socket), 0o755, { name: "the socket's directory", option: '--address' });
      const path = `${socket}.lock`;
      locks.push(await acquireInstanceLock(path, (holder) => `another multipassd is already listening on '${socket}' (${holder} holds '${path}')`));
    }
    // Checked (StrictModes) and created before the lock file goes in it.
    prepareDataDir(config.dataDir);
    const path = daemonLockPath(config.dataDir);
    locks.push(
      await acquireInstanceLock(path, (holder) => `another multipassd is already running with the data directory '${config.dataDir}' (${holder} holds '${path}')`),
    );
  } catch (error) {
    release();
    throw error;
  }
  return { release };
}
