/** The CLI's own `-v` lines (`[time] [info] [client] ...`) taken out, to compare the rest of stderr exactly. */
export const withoutClientLines = (text: string): string =>
  text
    .split(/(?<=\n)/)
    .filter((line) => !line.includes('] [client] '))
    .join('');

/** A run's result with the CLI's own `-v` lines taken out of its stderr. */
export const quietened = <T extends { stderr: string }>(run: T): T => ({ ...run, stderr: withoutClientLines(run.stderr) });
