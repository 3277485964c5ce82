import { spawn } from 'node:child_process';
import { MULTIPASS_BIN } from './binaries.js';
import { cleanEnv } from './daemon-process.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MULTIPASS_BIN, ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(user.uid === undefined ? {} : { uid: user.uid, gid: user.gid ?? user.uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`multipass ${args.join(' ')} did not exit in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 20000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
