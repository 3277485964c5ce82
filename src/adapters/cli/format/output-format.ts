import { UsageError } from 'clipanion';
import type { OptionHelp } from '../help.js';

/** The `--format` values Multipass's `list`, `version` (and others) accept. */
export const OUTPUT_FORMATS = ['table', 'json', 'csv', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The `--format` value as given on the command line; a command-line error otherwise. */
export function outputFormat(value: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((known) => known === value);
  if (format === undefined) throw new UsageError('Invalid format type given.');
  return format;
}

/** Multipass's help entry for `--format`; `what` is e.g. `list` or `version information`. */
export const formatOptionHelp = (what: string): OptionHelp => ({
  names: '--format <format>',
  description: `Output ${what} in the requested format.\nValid formats are: table (default), json, csv and yaml`,
});
