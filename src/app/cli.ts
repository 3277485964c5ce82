import type { Readable, Writable } from 'node:stream';
import { Cli } from 'clipanion';
import {
  connectToDaemon,
  resolveClientTarget,
  type ClientFactory,
  type ClientTarget,
  type IdentityProvider,
} from '../adapters/cli/client-options.js';
import { AuthenticateCommand } from '../adapters/cli/commands/authenticate.js';
import { GetCommand } from '../adapters/cli/commands/get.js';
import { HelpCommand } from '../adapters/cli/commands/help.js';
import { ListCommand } from '../adapters/cli/commands/list.js';
import { SetCommand } from '../adapters/cli/commands/set.js';
import { VersionCommand } from '../adapters/cli/commands/version.js';
import type { DaemonAccess, MultipassContext } from '../adapters/cli/context.js';
import type { MultipassCommandClass } from '../adapters/cli/help.js';
import { TerminalPrompter, type Prompter } from '../adapters/cli/prompter.js';
import { runCommandLine } from '../adapters/cli/run-command-line.js';
import { packageVersion } from './package-version.js';
import { clientCertificateDir, currentEnv, defaultDaemonLocation, type Env } from './paths.js';

/** In the order `multipass help` lists them. */
export const COMMANDS: readonly MultipassCommandClass[] = [
  AuthenticateCommand,
  GetCommand,
  HelpCommand,
  ListCommand,
  SetCommand,
  VersionCommand,
];

/** What the `multipass` entry point takes from the process; tests replace any of it. */
export interface CliDependencies {
  readonly env: Env;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly prompter: Prompter;
  readonly createClient: ClientFactory;
  readonly ensureIdentity: IdentityProvider;
}

// The client and the certificate code are loaded only by a command that talks to the daemon:
// loading Node's http2 and tls alone adds about a quarter of `node -e 0` to a run.
const grpcClient: ClientFactory = async (credentials, onLogLine) =>
  (await import('./daemon-client.js')).createGrpcClient(credentials, onLogLine);
const clientIdentity: IdentityProvider = async (dir) => (await import('./daemon-client.js')).ensureClientIdentity(dir);

/** Runs one `multipass` command line and returns its exit code. */
export async function runMultipass(argv: readonly string[], overrides: Partial<CliDependencies> = {}): Promise<number> {
  const stdin = overrides.stdin ?? process.stdin;
  const stdout = overrides.stdout ?? process.stdout;
  const deps: CliDependencies = {
    env: currentEnv(),
    stdin,
    stdout,
    stderr: process.stderr,
    prompter: new TerminalPrompter(stdin, stdout),
    createClient: grpcClient,
    ensureIdentity: clientIdentity,
    ...overrides,
  };
  const cli = new Cli<MultipassContext>({ binaryLabel: 'Multipass', binaryName: 'multipass' });
  for (const command of COMMANDS) cli.register(command);
  return runCommandLine(cli, argv, {
    env: deps.env.vars,
    stdin: deps.stdin,
    stdout: deps.stdout,
    stderr: deps.stderr,
    colorDepth: 1,
    prompter: deps.prompter,
    daemon: daemonAccess(deps),
    commands: COMMANDS,
    clientVersion: packageVersion(),
  });
}

function daemonAccess(deps: CliDependencies): DaemonAccess {
  let target: ClientTarget | undefined;
  // Resolved on first use: finding the default daemon looks for its socket on disk.
  const resolve = (): ClientTarget =>
    (target ??= resolveClientTarget(deps.env.vars, () => defaultDaemonLocation(deps.env), clientCertificateDir(deps.env)));
  return {
    get address() {
      return resolve().address;
    },
    // The daemon's log lines and the CLI's notices go to stderr as they come, as Multipass's do.
    connect: (trace) => connectToDaemon(resolve(), deps.createClient, deps.ensureIdentity, (text) => deps.stderr.write(text), trace),
  };
}
