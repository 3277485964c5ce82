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

/** Where the CLI keeps its own key pair (same place as Multipass's client). */
export function clientCertificateDir(env: Env): string {
  return join(xdgDataHome(env), 'multipass-client-certificate');
}

/**
 * Which daemon the CLI talks to when MULTIPASS_SERVER_ADDRESS is not set: this user's own
 * daemon if its socket exists (`npm start`), else the system daemon.
 */
export interface DaemonLocation {
  readonly address: string;
  readonly rootCertPath: string;
}

export function defaultDaemonLocation(env: Env): DaemonLocation {
  const userSocket = userSocketPath(env);
  if (existsSync(userSocket)) {
    return { address: `unix:${userSocket}`, rootCertPath: rootCertPath(userDataDir(env)) };
  }
  return { address: `unix:${SYSTEM_SOCKET}`, rootCertPath: rootCertPath(SYSTEM_DATA_DIR) };
}
