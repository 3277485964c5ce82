import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Default file locations (DESIGN.md, "Files and addresses"). A daemon run as root uses the
 * system locations; any other user gets per-user development locations, so `npm start`
 * works without privileges.
 */
export interface Env {
  readonly uid: number;
  readonly vars: NodeJS.ProcessEnv;
}

export const currentEnv = (): Env => ({ uid: process.getuid?.() ?? -1, vars: process.env });

const SYSTEM_DATA_DIR = '/var/lib/multipassd';
const SYSTEM_SOCKET = '/run/multipass_socket';

function userHome(env: Env): string {
  return env.vars.HOME && env.vars.HOME !== '' ? env.vars.HOME : homedir();
}

function xdgDataHome(env: Env): string {
  const xdg = env.vars.XDG_DATA_HOME;
  return xdg && xdg !== '' ? xdg : join(userHome(env), '.local', 'share');
}

export function defaultDataDir(env: Env): string {
  return env.uid === 0 ? SYSTEM_DATA_DIR : join(xdgDataHome(env), 'multipassd');
}

export function defaultSocketPath(env: Env): string {
  if (env.uid === 0) return SYSTEM_SOCKET;
  const runtime = env.vars.XDG_RUNTIME_DIR;
  return runtime && runtime !== '' ? join(runtime, 'multipass_socket') : join(defaultDataDir(env), 'multipass_socket');
}

export const certificateDir = (dataDir: string): string => join(dataDir, 'certificate');
export const rootCertPath = (dataDir: string): string => join(certificateDir(dataDir), 'multipass_root_cert.pem');
export const pemCertStorePath = (dataDir: string): string =>
  join(dataDir, 'authenticated-certs', 'multipass_client_certs.pem');
export const settingsFilePath = (dataDir: string): string => join(dataDir, 'multipassd.conf');
export const sqliteStorePath = (dataDir: string): string => join(dataDir, 'multipassd.db');
export const defaultConfigPath = (dataDir: string): string => join(dataDir, 'multipassd.yaml');

/** Where the CLI keeps its own key pair (same place as Multipass's client). */
export function clientCertificateDir(env: Env): string {
  return join(xdgDataHome(env), 'multipass-client-certificate');
}

/**
 * Which daemon the CLI talks to when MULTIPASS_SERVER_ADDRESS is not set: a development
 * daemon of this user (its socket exists), else the system daemon.
 */
export interface DaemonLocation {
  readonly address: string;
  readonly rootCertPath: string;
}

export function defaultDaemonLocation(env: Env): DaemonLocation {
  const userSocket = defaultSocketPath(env);
  if (env.uid !== 0 && existsSync(userSocket)) {
    return { address: `unix:${userSocket}`, rootCertPath: rootCertPath(defaultDataDir(env)) };
  }
  return { address: `unix:${SYSTEM_SOCKET}`, rootCertPath: rootCertPath(SYSTEM_DATA_DIR) };
}
