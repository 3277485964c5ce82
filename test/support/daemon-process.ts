import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { MULTIPASSD_BIN } from './binaries.js';
import { runToExit, type ProcessResult } from './run-to-exit.js';

export interface DaemonProcess {
  readonly child: ChildProcess;
  /** As printed by the daemon: `unix:/path` or `host:port`. */
  readonly address: string;
  readonly dataDir: string;
  readonly rootCertPath: string;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface DaemonStartOptions {
  readonly dataDir: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Node's own options, before the script. */
  readonly nodeArgs?: readonly string[];
}

const READY = /is listening on (\S+)/;

/** Runs the built `multipassd` and waits for its "listening" line. */
export function startDaemonProcess(options: DaemonStartOptions): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MULTIPASSD_BIN, '--data-dir', options.dataDir, ...(options.args ?? [])], {
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`multipassd did not start in time\nstdout: ${out}\nstderr: ${err}`));
    }, 20000);
    const onData = () => {
      const match = READY.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        child,
        address: match[1]!,
        dataDir: options.dataDir,
        rootCertPath: join(options.dataDir, 'certificate', 'multipass_root_cert.pem'),
        stdout: () => out,
        stderr: () => err,
        stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`multipassd exited (${code}) before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/** Runs `multipassd ...` to completion (for commands that exit, and for start-up refusals). */
export function runDaemonCommand(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20000): Promise<ProcessResult> {
  return runToExit(MULTIPASSD_BIN, args, { env: { ...cleanEnv(), ...env }, timeoutMs });
}

/** The test runner's environment without anything that would point a daemon at real state. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('MULTIPASS')) delete env[key];
  }
  return env;
}
