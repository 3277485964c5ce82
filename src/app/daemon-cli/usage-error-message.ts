import { UsageError } from 'clipanion';

/** What this needs of a registered command class: its paths (`[['trust', 'list']]`; `[[]]` for the default). */
export interface CommandPaths {
  readonly paths?: string[][] | undefined;
}

/** clipanion's UnknownSyntaxError and AmbiguousSyntaxError, by shape: it exports neither class. */
interface SyntaxErrorShape {
  readonly name: string;
  readonly candidates?: readonly { readonly usage: string; readonly reason: string | null }[];
  readonly usages?: readonly string[];
}

/**
 * The one place a command line multipassd cannot parse becomes what the admin reads, in the
 * words of the `multipass` CLI's usage errors instead of clipanion's (`Unknown Syntax Error:
 * Command not found; did you mean one of: ... [--data-dir #0]`): which command, what is wrong
 * with it, and where the help is. Undefined for any other error.
 */
export function usageErrorMessage(error: unknown, argv: readonly string[], commands: readonly CommandPaths[]): string | undefined {
  const words = leadingWords(argv);
  const paths = commands.flatMap((command) => command.paths ?? []).filter((path) => path.every((word) => !word.startsWith('-')));
  const command = longestPathOf(words, paths);
  const name = ['multipassd', ...command].join(' ');
  const help = `Try '${name} --help'.`;
  if (error instanceof UsageError) return lines(`${name}: ${sentence(error.message)}`, help);
  const syntax = error as SyntaxErrorShape;
  if (!(error instanceof Error) || (syntax.name !== 'UnknownSyntaxError' && syntax.name !== 'AmbiguousSyntaxError')) return undefined;

  const candidates = syntax.candidates ?? [];
  const reason = candidates.length > 0 && candidates.every((c) => c.reason !== null && c.reason === candidates[0]?.reason) ? candidates[0]?.reason : null;
  const unparsedWords = words.slice(command.length);
  // The default command (the daemon) takes no words: any left over name a command that does not exist.
  if ((reason === null && unparsedWords.length > 0) || (command.length === 0 && unparsedWords.length > 0)) {
    return unknownCommand(words, paths);
  }
  if (reason !== null && reason !== undefined) return lines(`${name}: ${describeReason(reason, candidates[0]?.usage ?? '')}`, help);
  const missing = [...(candidates[0]?.usage ?? '').matchAll(/<(--?[\w-]+)[^>]*>/g)].map((match) => match[1]);
  const missingOption = missing.find((option) => !argv.some((token) => token === option || token.startsWith(`${option}=`)));
  if (missingOption !== undefined) return lines(`${name}: missing option ${missingOption}`, help);
  return lines(`${name}: cannot make sense of '${argv.join(' ')}'`, help);
}

/** The command's words: what comes before the first option. */
function leadingWords(argv: readonly string[]): string[] {
  const end = argv.findIndex((token) => token.startsWith('-'));
  return argv.slice(0, end === -1 ? argv.length : end);
}

function longestPathOf(words: readonly string[], paths: readonly string[][]): string[] {
  let best: string[] = [];
  for (const path of paths) {
    if (path.length > best.length && path.every((word, i) => words[i] === word)) best = path;
  }
  return best;
}

function unknownCommand(words: readonly string[], paths: readonly string[][]): string {
  const typed = words.join(' ');
  // `multipassd trust`: a group, not a command; say what it holds.
  const below = paths.filter((path) => path.length > words.length && words.every((word, i) => path[i] === word));
  if (below.length > 0) {
    const next = [...new Set(below.map((path) => path[words.length] as string))];
    return lines(`multipassd: '${typed}' needs a subcommand: ${next.join(', ')}`, `Try 'multipassd --help'.`);
  }
  const named = paths.filter((path) => path.length > 0).map((path) => path.join(' '));
  const closest = named
    .map((candidate) => ({ candidate, distance: editDistance(typed, candidate) }))
    .sort((a, b) => a.distance - b.distance)[0];
  const suggestion = closest !== undefined && closest.distance <= Math.max(2, Math.floor(typed.length / 3)) ? `; did you mean '${closest.candidate}'?` : '';
  return lines(`multipassd: unknown command '${typed}'${suggestion}`, `Try 'multipassd --help'.`);
}

/** clipanion's reasons, which name options as `#0` placeholders and end in periods. */
function describeReason(reason: string, usage: string): string {
  const quoted = /\("([^"]*)"\)/.exec(reason)?.[1];
  if (reason.startsWith('Unsupported option name')) return `unknown option '${quoted ?? ''}'`;
  if (reason.startsWith('Extraneous positional argument')) return `unexpected argument '${quoted ?? ''}'`;
  if (reason.startsWith('Not enough positional arguments')) {
    const needed = [...usage.matchAll(/<([^->][^>]*)>/g)].map((match) => `<${match[1]}>`);
    return needed.length === 0 ? 'missing argument' : `missing argument: ${needed.join(' ')}`;
  }
  const option = /^Not enough arguments to option (\S+?)\.?$/.exec(reason)?.[1];
  if (option !== undefined) return `option ${option} needs a value`;
  return sentence(reason.replace(/#\d+/g, 'VALUE'));
}

/** A clipanion message as the tail of our line: first letter down, no final period. */
const sentence = (text: string): string => {
  const first = (text.split('\n')[0] ?? '').replace(/\.$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
};

const lines = (...texts: string[]): string => `${texts.join('\n')}\n`;

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
