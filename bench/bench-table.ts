// The one table `npm run bench` prints at the end: every figure of the run, with what it is
// compared to, so that a run can be pasted into the README as it is.

export interface BenchRow {
  readonly figure: string;
  readonly value: string;
  /** The comparison or goal, when there is one. */
  readonly note?: string;
}

export class BenchTable {
  private readonly rows: Array<BenchRow | { section: string }> = [];

  section(title: string): void {
    this.rows.push({ section: title });
  }

  add(figure: string, value: number, unit: string, note?: string): void {
    const digits = Math.abs(value) >= 100 ? 0 : 1;
    this.rows.push(note === undefined ? { figure, value: `${value.toFixed(digits)} ${unit}` } : { figure, value: `${value.toFixed(digits)} ${unit}`, note });
  }

  /** A row whose value is a sentence, such as why it was not measured. */
  note(figure: string, value: string): void {
    this.rows.push({ figure, value });
  }

  /** A markdown table (sections as bold rows). */
  render(): string {
    const lines = ['| figure | value | compared with / goal |', '| --- | ---: | --- |'];
    for (const row of this.rows) {
      if ('section' in row) lines.push(`| **${row.section}** | | |`);
      else lines.push(`| ${row.figure} | ${row.value} | ${row.note ?? ''} |`);
    }
    return lines.join('\n');
  }
}

export const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}×`;
