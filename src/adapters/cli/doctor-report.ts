type Kind = 'ok' | 'note' | 'problem';

const LABEL_WIDTH = 9;

/**
 * What `doctor` found, one finding a paragraph: `ok`, `note` (worth knowing, nothing to fix)
 * or `problem` (with what to do). Shared by `multipass doctor` and `multipassd doctor`.
 */
export class DoctorReport {
  private readonly findings: Array<{ kind: Kind; lines: readonly string[] }> = [];

  ok(...lines: string[]): void {
    this.findings.push({ kind: 'ok', lines });
  }

  note(...lines: string[]): void {
    this.findings.push({ kind: 'note', lines });
  }

  problem(...lines: string[]): void {
    this.findings.push({ kind: 'problem', lines });
  }

  get problems(): number {
    return this.findings.filter((finding) => finding.kind === 'problem').length;
  }

  /** Every finding, then the verdict. */
  render(): string {
    const body = this.findings
      .map(({ kind, lines }) => lines.map((line, i) => `${(i === 0 ? `${kind}:` : '').padEnd(LABEL_WIDTH)}${line}\n`).join(''))
      .join('');
    const verdict = this.problems === 0 ? 'No problems found.' : `${this.problems} problem${this.problems === 1 ? '' : 's'} found.`;
    return `${body}${verdict}\n`;
  }

  /** 0 when all is well, 2 (a failed command, as Multipass counts it) when a problem was found. */
  exitCode(): number {
    return this.problems === 0 ? 0 : 2;
  }
}

/** `0660` */
export const octalMode = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** ISO 8601 to the second. */
export const shortTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
