import { UsageError, type Cli, type Command } from 'clipanion';
import { Writable } from 'node:stream';
import { usageErrorMessage, type CommandPaths } from './usage-error-message.js';

/** A command line multipassd cannot use, as `getopt` tools and the daemon's own start-up refusals (1) tell apart. */
export const USAGE_EXIT_CODE = 2;

/**
 * `cli.run`, except that a command line clipanion cannot parse, or a value it refuses, is told
 * in our words on stderr (usageErrorMessage) with exit code 2, never as clipanion's raw text
 * on stdout with 1, and that help names option values `VALUE`, not `#0`. Execution and
 * everything else are clipanion's.
 */
export async function runDaemonCli(
  cli: Cli,
  argv: readonly string[],
  commands: readonly CommandPaths[],
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const refuse = (error: unknown): number => {
    const message = usageErrorMessage(error, argv, commands);
    if (message === undefined) throw error;
    stderr.write(message);
    return USAGE_EXIT_CODE;
  };
  let command: Command;
  try {
    // `multipassd help trust list`, as `multipass help list` works.
    command = cli.process(argv[0] === 'help' ? [...argv.slice(1), '--help'] : [...argv]);
  } catch (error) {
    return refuse(error);
  }
  // A UsageError a command throws while it runs is the same kind of mistake.
  const validateAndExecute = command.validateAndExecute.bind(command);
  command.validateAndExecute = async () => {
    try {
      return await validateAndExecute();
    } catch (error) {
      if (error instanceof UsageError) return refuse(error);
      throw error;
    }
  };
  return cli.run(command, isHelp(command) ? { stdout: withNamedValues(process.stdout) } : {});
}

/** `multipassd --help` (clipanion's help builtin) or `multipassd trust add --help`. */
const isHelp = (command: Command): boolean => command.help || command.constructor.name === 'HelpCommand';

/** Help as clipanion writes it, with `VALUE` where it puts `#0` for an option's value. */
function withNamedValues(stdout: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      stdout.write(realignOptions(chunk.toString().replace(/ #\d+\b/g, ' VALUE')));
      done();
    },
  });
}

/** The options table's descriptions in one column again, now that the names are longer. */
function realignOptions(text: string): string {
  const row = /^ {2}(-\S.*?) {2,}(\S.*)$/;
  const lines = text.split('\n');
  const width = Math.max(0, ...lines.map((line) => row.exec(line)?.[1]?.length ?? 0));
  return lines.map((line) => line.replace(row, (_, name: string, description: string) => `  ${name.padEnd(width + 4)}${description}`)).join('\n');
}
