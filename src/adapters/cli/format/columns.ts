/** Multipass's gap after the widest entry of a column. */
const COLUMN_GAP = 3;

/** A column as wide as its widest entry (header included) plus the gap, and at least `minimum`. */
export function columnWidth(entries: readonly string[], minimum = 0): number {
  return Math.max(minimum, ...entries.map((entry) => entry.length + COLUMN_GAP));
}

// Code-point order, as Multipass's std::string comparison: the same on every locale.
export const byName = <T extends { readonly name: string }>(a: T, b: T): number => compare(a.name, b.name);

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
