import { MULTIPASS_BIN } from './binaries.js';
import { cleanEnv } from './daemon-process.js';
import { runToExit, type ProcessResult } from './run-to-exit.js';

export type CliResult = ProcessResult;

export interface CliUser {
  /** A fresh HOME: where this user's client certificate lives. */
  readonly home: string;
  readonly address: string;
  readonly rootCertPath: string;
  /** Run as another user (root only). */
  readonly uid?: number;
  readonly gid?: number;
}

/** Runs the built `multipass` CLI as a user would, with its own HOME. */
export function runCli(user: CliUser, args: readonly string[], input?: string): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    HOME: user.home,
    MULTIPASS_SERVER_ADDRESS: user.address,
    MULTIPASS_ROOT_CERT: user.rootCertPath,
  };
  delete env.XDG_DATA_HOME;
  delete env.XDG_RUNTIME_DIR;
  return runToExit(MULTIPASS_BIN, args, {
    env,
    ...(input === undefined ? {} : { input }),
    ...(user.uid === undefined ? {} : { uid: user.uid, gid: user.gid ?? user.uid }),
  });
}
