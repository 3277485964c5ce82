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
import { DoctorCommand } from '../adapters/cli/commands/doctor.js';
import { WhoamiCommand } from '../adapters/cli/commands/whoami.js';
import type { DiagnosisAccess, WhoamiClientFactory } from '../adapters/cli/diagnosis-access.js';
import type { MultipassCommandClass } from '../adapters/cli/help.js';
import { TerminalPrompter, type Prompter } from '../adapters/cli/prompter.js';
import { runCommandLine } from '../adapters/cli/run-command-line.js';
import { packageVersion } from './package-version.js';
import { clientCertificateDir, currentEnv, defaultDaemonLocation, type Env } from './paths.js';

/** In the order `multipass help` lists them. */
export const COMMANDS: readonly MultipassCommandClass[] = [
  AuthenticateCommand,
  DoctorCommand,
  GetCommand,
  HelpCommand,
  ListCommand,
  SetCommand,
  VersionCommand,
  WhoamiCommand,
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
  readonly createWhoamiClient: WhoamiClientFactory;
}

// The client and the certificate code are loaded only by a command that talks to the daemon:
// loading Node's http2 and tls alone adds about a quarter of `node -e 0` to a run.
const grpcClient: ClientFactory = async (credentials, onLogLine) =>
  (await import('./daemon-client.js')).createGrpcClient(credentials, onLogLine);
const whoamiClient: WhoamiClientFactory = async (credentials) => (await import('./daemon-client.js')).createWhoamiClient(credentials);
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
    createWhoamiClient: whoamiClient,
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
    ...daemonAccess(deps),
    commands: COMMANDS,
    clientVersion: packageVersion(),
  });
}

function daemonAccess(deps: CliDependencies): { daemon: DaemonAccess; diagnosis: DiagnosisAccess } {
  let target: ClientTarget | undefined;
  // Resolved on first use: finding the default daemon looks for its socket on disk.
  const resolve = (): ClientTarget =>
    (target ??= resolveClientTarget(deps.env.vars, () => defaultDaemonLocation(deps.env), clientCertificateDir(deps.env)));
  // The daemon's log lines and the CLI's notices go to stderr as they come, as Multipass's do.
  const stderr = (text: string) => deps.stderr.write(text);
  return {
    daemon: {
      get address() {
        return resolve().address;
      },
      connect: (trace) => connectToDaemon(resolve(), deps.createClient, deps.ensureIdentity, stderr, trace),
    },
    diagnosis: {
      target: resolve,
      identity: () => deps.ensureIdentity(resolve().identityDir),
      connectWhoami: (trace) => connectToDaemon(resolve(), deps.createWhoamiClient, deps.ensureIdentity, stderr, trace),
    },
  };
}
