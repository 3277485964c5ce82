import { columnWidth } from '../../adapters/cli/format/columns.js';

/** Rows under a header, each column as wide as its widest entry plus a gap; the last column unpadded. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => columnWidth([header, ...rows.map((row) => row[i] ?? '')]));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('')
      .trimEnd();
  return [headers, ...rows].map((cells) => `${line(cells)}\n`).join('');
}

/** A time for a table: ISO 8601 UTC to the second. */
export function shortTime(time: Date | undefined): string {
  return time === undefined ? '-' : time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
