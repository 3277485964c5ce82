import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLIENT_CERT_FILE, CLIENT_KEY_FILE } from '../adapters/crypto/client-identity-files.js';
import { identityPathsIn, type DaemonIdentityPaths } from '../adapters/crypto/daemon-identity-paths.js';
import { multipassIdentityPaths, type MultipassLocations } from '../adapters/multipass/multipass-locations.js';

/**
 * Default file locations (README, "Running the daemon (admins)"). A daemon run as root uses the
 * system locations; any other user gets per-user development locations, so `npm start`
 * works without privileges.
 */
export interface Env {
  readonly uid: number;
  readonly vars: NodeJS.ProcessEnv;
}

export const currentEnv = (): Env => ({ uid: process.getuid?.() ?? -1, vars: process.env });

/** The root daemon's data dir (also a non-snap Multipass's). */
export const SYSTEM_DATA_DIR = '/var/lib/multipassd';
const SYSTEM_SOCKET = '/run/multipass_socket';

function userHome(env: Env): string {
  return env.vars.HOME && env.vars.HOME !== '' ? env.vars.HOME : homedir();
}

function xdgDataHome(env: Env): string {
  const xdg = env.vars.XDG_DATA_HOME;
  return xdg && xdg !== '' ? xdg : join(userHome(env), '.local', 'share');
}

/** This user's own locations: a daemon run without root, or with `--per-user` (npm start). */
export function userDataDir(env: Env): string {
  return join(xdgDataHome(env), 'multipassd');
}

export function userSocketPath(env: Env): string {
  const runtime = env.vars.XDG_RUNTIME_DIR;
  return runtime && runtime !== '' ? join(runtime, 'multipass_socket') : join(userDataDir(env), 'multipass_socket');
}

export function defaultDataDir(env: Env, perUser = false): string {
  return env.uid === 0 && !perUser ? SYSTEM_DATA_DIR : userDataDir(env);
}

export function defaultSocketPath(env: Env, perUser = false): string {
  return env.uid === 0 && !perUser ? SYSTEM_SOCKET : userSocketPath(env);
}

export const certificateDir = (dataDir: string): string => join(dataDir, 'certificate');
export const rootCertPath = (dataDir: string): string => join(certificateDir(dataDir), 'multipass_root_cert.pem');
export const pemCertStorePath = (dataDir: string): string =>
  join(dataDir, 'authenticated-certs', 'multipass_client_certs.pem');
export const settingsFilePath = (dataDir: string): string => join(dataDir, 'multipassd.conf');
export const sqliteStorePath = (dataDir: string): string => join(dataDir, 'multipassd.db');
export const defaultConfigPath = (dataDir: string): string => join(dataDir, 'multipassd.yaml');

/**
 * Multipass's default locations, each under `root` (MULTIPASSD_MULTIPASS_ROOT, '' on a real
 * system). The snap: data in $SNAP_COMMON/data/multipassd (the root CA there too), settings in
 * $SNAP_DATA/config/multipassd/; otherwise data in /var/lib/multipassd, settings in
 * /root/.config/multipassd/, the root CA in /usr/local/etc/multipassd/.
 */
export function multipassDefaults(root: string): { readonly snap: MultipassLocations; readonly native: MultipassLocations } {
  const at = (path: string) => join(root === '' ? '/' : root, path);
  const snapData = at('/var/snap/multipass/common/data/multipassd');
  return {
    snap: {
      kind: 'snap',
      dataDir: snapData,
      settingsFile: at('/var/snap/multipass/current/config/multipassd/multipassd.conf'),
      rootCertDir: snapData,
    },
    native: {
      kind: 'native',
      dataDir: at('/var/lib/multipassd'),
      settingsFile: at('/root/.config/multipassd/multipassd.conf'),
      rootCertDir: at('/usr/local/etc/multipassd'),
    },
  };
}

/** The locations that go with a Multipass data dir: the snap's when it is the snap's data dir. */
export function multipassLocationsFor(dataDir: string, root: string): MultipassLocations {
  const { snap, native } = multipassDefaults(root);
  return resolve(dataDir) === snap.dataDir ? snap : { ...native, dataDir: resolve(dataDir) };
}

/**
 * Where the daemon's identity files are, for its layout (see Layout in the daemon config):
 * with `multipass`, where a Multipass install with this data dir keeps them.
 */
export function daemonIdentityPaths(config: { dataDir: string; layout: 'native' | 'multipass'; multipassRoot: string }): DaemonIdentityPaths {
  if (config.layout === 'native') return identityPathsIn(certificateDir(config.dataDir));
  return multipassIdentityPaths(config.dataDir, multipassLocationsFor(config.dataDir, config.multipassRoot).rootCertDir);
}

/** Where a file is looked for; tests replace it, since Multipass's paths are system paths. */
export type FileExists = (path: string) => boolean;

const CLIENT_CERT_DIR_NAME = 'multipass-client-certificate';

/**
 * Where the CLI keeps its own key pair, as Multipass's client does: under XDG_DATA_HOME
 * (default `~/.local/share`); else, when only the Multipass snap's client has a pair, the
 * snap's (`~/snap/multipass/current/data/...`), so that a snap user keeps the identity the
 * daemon already trusts. A new pair is always made in the first place.
 */
export function clientCertificateDir(env: Env, exists: FileExists = existsSync): string {
  const standard = join(xdgDataHome(env), CLIENT_CERT_DIR_NAME);
  const snap = join(userHome(env), 'snap', 'multipass', 'current', 'data', CLIENT_CERT_DIR_NAME);
  const hasPair = (dir: string) => exists(join(dir, CLIENT_CERT_FILE)) && exists(join(dir, CLIENT_KEY_FILE));
  return !hasPair(standard) && hasPair(snap) ? snap : standard;
}

/** Where a daemon listens, and the root CA that verifies it. */
export interface DaemonLocation {
  readonly address: string;
  readonly rootCertPath: string;
}

// Multipass's own layout: the root CA in /usr/local/etc (the snap: under its common dir).
const MULTIPASS_ROOT_CERT = '/usr/local/etc/multipassd/multipass_root_cert.pem';
const SNAP_COMMON = '/var/snap/multipass/common';
const SNAP_ROOT_CERT = join(SNAP_COMMON, 'data', 'multipassd', 'multipass_root_cert.pem');
const SNAP_SOCKET = join(SNAP_COMMON, 'multipass_socket');

/**
 * Which daemon the CLI talks to when MULTIPASS_SERVER_ADDRESS is not set: this user's own
 * daemon if its socket exists (`npm start`), with that daemon's root CA.
 * Otherwise the system daemon: at /run/multipass_socket, else at the Multipass snap's socket
 * when only that one exists. Its root CA is the first that exists of ours
 * (`/var/lib/multipassd/certificate/`), Multipass's (`/usr/local/etc/multipassd/`) and the
 * snap's (`/var/snap/multipass/common/data/multipassd/`), the snap's first for the snap's
 * socket; when none exists, ours, so that the error names our default.
 */
export function defaultDaemonLocation(env: Env, exists: FileExists = existsSync): DaemonLocation {
  const userSocket = userSocketPath(env);
  if (exists(userSocket)) {
    return { address: `unix:${userSocket}`, rootCertPath: rootCertPath(userDataDir(env)) };
  }
  const ours = rootCertPath(SYSTEM_DATA_DIR);
  if (!exists(SYSTEM_SOCKET) && exists(SNAP_SOCKET)) {
    return { address: `unix:${SNAP_SOCKET}`, rootCertPath: [SNAP_ROOT_CERT, MULTIPASS_ROOT_CERT, ours].find(exists) ?? ours };
  }
  return { address: `unix:${SYSTEM_SOCKET}`, rootCertPath: [ours, MULTIPASS_ROOT_CERT, SNAP_ROOT_CERT].find(exists) ?? ours };
}
