import { UsageError } from 'clipanion';
import { RpcFailure } from '../rpc/multipass-client.js';
import { ClientSetupFailure, socketPathOf } from './client-options.js';
import { PromptError } from './prompter.js';
import type { SocketAccess } from './socket-access.js';

/** Multipass's exit codes. */
export const ExitCode = {
  Ok: 0,
  CommandLineError: 1,
  CommandFail: 2,
  DaemonFail: 3,
  /** What a shell reports for Ctrl-C; Multipass dies of the SIGINT itself at its prompt. */
  Interrupted: 130,
} as const;

export interface FailureReport {
  /** For stderr, newline-terminated; empty when there is nothing to say. */
  readonly message: string;
  readonly exitCode: number;
}

/**
 * The one table from a failed command to what the user sees and the exit code.
 * `command` is the canonical name (`list` for `ls`); `address` is where the daemon was sought.
 * The texts are Multipass's (DESIGN.md, "User-visible text"); the daemon's own message is
 * shown as it is for refusals other than "not trusted" (e.g. a wrong passphrase).
 */
export function describeFailure(error: unknown, command: string, address: string, socket?: SocketAccess): FailureReport {
  if (error instanceof UsageError) return { message: line(error.message), exitCode: ExitCode.CommandLineError };
  if (error instanceof PromptError) {
    return error.cancelled
      ? { message: '', exitCode: ExitCode.Interrupted }
      : { message: line(error.message), exitCode: ExitCode.CommandLineError };
  }
  if (error instanceof ClientSetupFailure) return describeSetupFailure(error, command);
  if (error instanceof RpcFailure) return describeRpcFailure(error, command, address, socket);
  const reason = error instanceof Error ? error.message : String(error);
  return { message: line(`${command} failed: ${reason}`), exitCode: ExitCode.CommandFail };
}

function describeRpcFailure(failure: RpcFailure, command: string, address: string, access: SocketAccess | undefined): FailureReport {
  const socket = socketPathOf(address);
  if (failure.connection === 'access-denied') {
    return daemonFailure(
      `${command} failed: multipass socket access denied`,
      `Please check that you have read/write permissions to '${socket}'`,
      ...(access === undefined ? [] : accessAdvice(access)),
    );
  }
  if (failure.connection === 'cannot-connect') {
    return daemonFailure(
      `${command} failed: cannot connect to the multipass socket`,
      `Please ensure multipassd is running and '${socket}' is accessible`,
    );
  }
  if (failure.connection === 'untrusted-daemon') {
    return daemonFailure(
      `${command} failed: cannot verify the certificate of the daemon at '${socket}'`,
      `Please check that MULTIPASS_ROOT_CERT (or the default) names that daemon's root certificate`,
    );
  }
  if (failure.status === 'UNAUTHENTICATED') {
    return {
      message: line(
        `${command} failed: The client is not authenticated with the Multipass service.`,
        "Please use 'multipass authenticate' before proceeding.",
      ),
      exitCode: ExitCode.CommandFail,
    };
  }
  // Reached something, but not a working daemon (e.g. the TLS handshake failed): Multipass
  // counts every UNAVAILABLE as a daemon failure.
  const exitCode = failure.status === 'UNAVAILABLE' ? ExitCode.DaemonFail : ExitCode.CommandFail;
  return { message: line(`${command} failed: ${failure.details}`), exitCode };
}

function describeSetupFailure(failure: ClientSetupFailure, command: string): FailureReport {
  const reason = failure.cause instanceof Error ? failure.cause.message : String(failure.cause);
  if (failure.problem === 'root-cert-unreadable') {
    return daemonFailure(
      `${command} failed: cannot read the daemon's root certificate '${failure.path}'`,
      'Please ensure multipassd has started at least once, or set MULTIPASS_ROOT_CERT to its root certificate',
    );
  }
  return {
    message: line(`${command} failed: cannot set up the client certificate in '${failure.path}': ${reason}`),
    exitCode: ExitCode.CommandFail,
  };
}

/**
 * Which group to join, from the socket's own stat: the daemon restricts its socket to root and
 * the admin group (mode 0660) until a first client is trusted, and a bare "permission denied"
 * does not say who may connect.
 */
function accessAdvice(access: SocketAccess): string[] {
  const mode = access.mode.toString(8).padStart(4, '0');
  const where = `The socket is mode ${mode}, owner ${access.owner}, group '${access.group}'`;
  if ((access.mode & 0o060) !== 0o060) return [`${where}: only ${access.owner} can use it. Please ask an administrator.`];
  if (access.joinedSinceLogin) {
    return [`${where}. You are a member of '${access.group}' since this session started: log in again (or run 'newgrp ${access.group}').`];
  }
  return [
    `${where}: to use it, join that group (until a first client is trusted, only its members can connect):`,
    `  sudo usermod -aG ${access.group} ${access.user}`,
    `then log in again (or run 'newgrp ${access.group}').`,
  ];
}

const daemonFailure = (first: string, ...hints: string[]): FailureReport => ({
  message: line(first, ...hints),
  exitCode: ExitCode.DaemonFail,
});

const line = (...lines: string[]): string => `${lines.join('\n')}\n`;
