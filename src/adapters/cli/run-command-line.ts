import type { Cli } from 'clipanion';
import { RpcFailure } from '../rpc/multipass-client.js';
import { socketPathOf } from './client-options.js';
import type { MultipassContext } from './context.js';
import type { SocketAccess } from './socket-access.js';
import { describeFailure, ExitCode } from './failure.js';
import {
  canonicalName,
  findCommand,
  namesOf,
  optionsOf,
  renderCommandHelp,
  renderGeneralHelp,
  takesValue,
  type OptionHelp,
} from './help.js';

const VERBOSE_FLAG = /^(?:-v+|--verbose)$/;

/**
 * Runs one `multipass` command line and returns the exit code. Help, unknown commands and
 * unknown options are handled here, before clipanion, so that the output is Multipass's and
 * clipanion's own help and error texts never reach the user. Everything a command throws is
 * reported through `describeFailure`, on stderr.
 */
export async function runCommandLine(
  cli: Cli<MultipassContext>,
  argv: readonly string[],
  context: MultipassContext,
): Promise<number> {
  const args = verboseFlagsAfterCommand(argv);
  const optionTokens = args.slice(0, indexOrEnd(args, '--'));
  const name = optionTokens.find((token) => !token.startsWith('-'));
  const command = name === undefined ? undefined : findCommand(context.commands, name);
  const problem = optionProblem(optionTokens, optionsOf(command));

  if (optionTokens.some(asksForHelp)) {
    context.stdout.write(command === undefined ? renderGeneralHelp(context.commands) : renderCommandHelp(command));
    return ExitCode.Ok;
  }
  if (problem !== undefined) return fail(context, problem);
  if (name === undefined) {
    // As Multipass: no command shows the general help, and counts as a failed command.
    context.stdout.write(renderGeneralHelp(context.commands));
    return ExitCode.CommandFail;
  }
  if (command === undefined) return fail(context, `Error: Unknown command '${name}' (try "multipass help")`);

  let instance;
  try {
    instance = cli.process([...args], context);
  } catch (error) {
    // Options were checked above, so this is a shape clipanion refuses; its first line says which.
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return fail(context, `${reason}\nTry 'multipass help ${canonicalName(command)}'.`);
  }
  try {
    return await instance.validateAndExecute();
  } catch (error) {
    const report = describeFailure(error, canonicalName(command), context.daemon.address, await refusingSocket(error, context.daemon.address));
    context.stderr.write(report.message);
    return report.exitCode;
  }
}

/** For a socket that refused us: who may use it. Loaded only then (it runs getent). */
async function refusingSocket(error: unknown, address: string): Promise<SocketAccess | undefined> {
  if (!(error instanceof RpcFailure) || error.connection !== 'access-denied' || !address.startsWith('unix:')) return undefined;
  return (await import('./socket-access.js')).socketAccess(socketPathOf(address));
}

/** Multipass takes `-v` anywhere, clipanion only after the command: `multipass -vv list` works. */
function verboseFlagsAfterCommand(argv: readonly string[]): string[] {
  const leading = argv.findIndex((token) => !VERBOSE_FLAG.test(token));
  if (leading <= 0 || argv[leading]?.startsWith('-')) return [...argv];
  return [argv[leading] as string, ...argv.slice(0, leading), ...argv.slice(leading + 1)];
}

function asksForHelp(token: string): boolean {
  return token === '--help' || (/^-[^-]/.test(token) && [...token.slice(1)].every((c) => c === 'h' || c === 'v') && token.includes('h'));
}

/**
 * The first thing wrong with the options, in Qt's words: an option this command does not
 * know (`foo` for `--foo`, `x` for `-vx`), or one that needs a value and has none.
 */
function optionProblem(tokens: readonly string[], options: readonly OptionHelp[]): string | undefined {
  const known = new Map(options.flatMap((option) => namesOf(option).map((name) => [name, takesValue(option)] as const)));
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as string;
    if (!token.startsWith('-') || token === '-') continue;
    const [name = '', value] = token.startsWith('--') ? token.slice(2).split('=', 2) : [token.slice(1)];
    const names = token.startsWith('--') ? [name] : [...name];
    const unknown = names.find((n) => !known.has(n));
    if (unknown !== undefined) return `Unknown option '${unknown}'.`;
    if (known.get(names.at(-1) as string) === true && value === undefined) {
      if (i + 1 >= tokens.length) return `Missing value after '${token}'.`;
      i += 1; // the next token is the value, whatever it looks like
    }
  }
  return undefined;
}

function fail(context: MultipassContext, message: string): number {
  context.stderr.write(`${message}\n`);
  return ExitCode.CommandLineError;
}

const indexOrEnd = (tokens: readonly string[], token: string): number => {
  const index = tokens.indexOf(token);
  return index === -1 ? tokens.length : index;
};
