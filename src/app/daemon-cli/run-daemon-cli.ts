import { UsageError, type Cli, type Command } from 'clipanion';
import { usageErrorMessage, type CommandPaths } from './usage-error-message.js';

/** A command line multipassd cannot use, as `getopt` tools and the daemon's own start-up refusals (1) tell apart. */
export const USAGE_EXIT_CODE = 2;

/**
 * `cli.run`, except that a command line clipanion cannot parse, or a value it refuses, is told
 * in our words on stderr (usageErrorMessage) with exit code 2, never as clipanion's raw text
 * on stdout with 1. Help, execution and everything else are clipanion's.
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
    command = cli.process([...argv]);
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
  return cli.run(command);
}
