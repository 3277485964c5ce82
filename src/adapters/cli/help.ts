import type { CommandClass, Usage } from 'clipanion';
import type { MultipassContext } from './context.js';

/**
 * Help in Multipass's format (Qt's QCommandLineParser as Multipass trims it), not
 * clipanion's: users and scripts compare it with Multipass's own output.
 */

export interface ArgumentHelp {
  readonly name: string;
  readonly description: string;
}

/** A command's `static usage`: clipanion's fields plus what Multipass's help shows. */
export interface CommandUsage extends Usage {
  /** One line, shown under `Available commands:`. */
  readonly description: string;
  /** The full description, with line breaks where Multipass puts them. */
  readonly details: string;
  /** What follows `[options]` on the usage line, e.g. `[<passphrase>]`. */
  readonly synopsis?: string;
  readonly arguments?: readonly ArgumentHelp[];
  /** The command's own options, after `-h` and `-v`, in Multipass's order. */
  readonly options?: readonly OptionHelp[];
}

export type MultipassCommandClass = CommandClass<MultipassContext> & {
  /** The first path is the canonical name; the others are aliases. */
  readonly paths: string[][];
  readonly usage: CommandUsage;
};

export interface OptionHelp {
  /** As Qt shows them: `-h, --help`, `--format <format>`. */
  readonly names: string;
  readonly description: string;
  /** Accepted but not shown, as Qt's HiddenFromHelp. */
  readonly hidden?: boolean;
}

export const HELP_OPTION: OptionHelp = { names: '-h, --help', description: 'Displays help on commandline options' };
export const VERBOSE_OPTION: OptionHelp = {
  names: '-v, --verbose',
  description:
    "Increase logging verbosity. Repeat the 'v' in the short option for more detail. " +
    "Maximum verbosity is obtained with 4 (or more) v's, i.e. -vvvv.",
};
/** The options every command takes. */
export const COMMON_OPTIONS: readonly OptionHelp[] = [HELP_OPTION, VERBOSE_OPTION];

/** Everything a command accepts: the common options, then its own. */
export const optionsOf = (command: MultipassCommandClass | undefined): readonly OptionHelp[] => [
  ...COMMON_OPTIONS,
  ...(command?.usage.options ?? []),
];

/** An option's names without dashes (`format` for `--format <format>`), as Qt's errors name them. */
export const namesOf = (option: OptionHelp): string[] =>
  [...option.names.matchAll(/(?:^|\s)--?([\w-]+)/g)].map((match) => match[1] as string);

/** Whether the option takes a value (`--format <format>`). */
export const takesValue = (option: OptionHelp): boolean => option.names.includes('<');

const APP_DESCRIPTION =
  'Create, control and connect to Ubuntu instances.\n\n' +
  'This is a command line utility for multipass, a\n' +
  'service that manages Ubuntu instances.';

const INDENT = '  ';
const LINE_WIDTH = 79;

export const canonicalName = (command: MultipassCommandClass): string => command.paths[0]?.[0] ?? '';

/** The command a user typed, by its name or one of its aliases. */
export function findCommand(
  commands: readonly MultipassCommandClass[],
  name: string,
): MultipassCommandClass | undefined {
  return commands.find((command) => command.paths.some((path) => path[0] === name));
}

export function renderCommandHelp(command: MultipassCommandClass): string {
  const { usage } = command;
  const synopsis = usage.synopsis === undefined ? '' : ` ${usage.synopsis}`;
  return (
    `Usage: multipass ${canonicalName(command)} [options]${synopsis}\n` +
    `${usage.details}\n\n` +
    renderOptionsAndArguments(optionsOf(command), usage.arguments ?? [])
  );
}

export function renderGeneralHelp(commands: readonly MultipassCommandClass[]): string {
  const names = commands.map((command) => command.paths.map((path) => path.join(' ')).join(', '));
  const width = Math.max(...names.map((name) => name.length));
  const list = commands.map((command, index) => `${INDENT}${(names[index] ?? '').padEnd(width)}  ${command.usage.description}\n`);
  return (
    `Usage: multipass [options] <command>\n${APP_DESCRIPTION}\n\n` +
    renderOptionsAndArguments(COMMON_OPTIONS, []) +
    `\nAvailable commands:\n${list.join('')}`
  );
}

function renderOptionsAndArguments(options: readonly OptionHelp[], args: readonly ArgumentHelp[]): string {
  const shown = options.filter((option) => option.hidden !== true);
  // Qt sizes the name column from the shown options alone, one wider, at most 50.
  const width = Math.min(50, Math.max(...shown.map((option) => option.names.length)) + 1);
  let text = `Options:\n${shown.map((option) => wrapEntry(option.names, width, option.description)).join('')}`;
  if (args.length > 0) {
    text += `\nArguments:\n${args.map((arg) => wrapEntry(arg.name, width, arg.description)).join('')}`;
  }
  return text;
}

/**
 * One option or argument entry, wrapped as QCommandLineParser's wrapText does, quirks
 * included (a continuation line may be one character longer than the first), so that the
 * text matches Multipass's byte for byte.
 */
function wrapEntry(name: string, width: number, description: string): string {
  const max = LINE_WIDTH - (INDENT.length + width + 1);
  const lines: string[] = [];
  let lineStart = 0;
  let lastBreakable = -1;
  let x = 0;
  for (let i = 0; i < description.length; i += 1) {
    x += 1;
    const c = description[i] as string;
    if (/\s/.test(c)) lastBreakable = i;
    let breakAt = -1;
    let nextLineStart = -1;
    if (x > max && lastBreakable !== -1) {
      breakAt = lastBreakable;
      nextLineStart = lastBreakable + 1;
    } else if ((x > max - 1 && lastBreakable === -1) || i === description.length - 1) {
      breakAt = i + 1;
      nextLineStart = breakAt;
    } else if (c === '\n') {
      breakAt = i;
      nextLineStart = i + 1;
    }
    if (breakAt !== -1) {
      lines.push(description.slice(lineStart, breakAt));
      x = 0;
      lastBreakable = -1;
      lineStart = nextLineStart;
      if (lineStart < description.length && /\s/.test(description[lineStart] as string)) lineStart += 1;
      i = lineStart;
    }
  }
  return lines.map((line, index) => `${INDENT}${(index === 0 ? name : '').padEnd(width)} ${line}\n`).join('');
}
