export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

const INDENT = '    ';

/**
 * JSON as Multipass prints it (Qt's indented writer): four-space indentation, `"key": value`,
 * an empty array or object still split over two lines, a final newline. Keys keep their
 * insertion order, as in Multipass's own output. Strings are escaped as JSON.stringify does,
 * which is what Qt does too (control characters only; other text stays UTF-8).
 */
export function toQtJson(value: JsonValue): string {
  return `${write(value, 0)}\n`;
}

function write(value: JsonValue, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const isArray = Array.isArray(value);
  const entries: string[] = isArray
    ? (value as readonly JsonValue[]).map((item) => write(item, depth + 1))
    : Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${write(item, depth + 1)}`);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  const inner = entries.map((entry) => `${INDENT.repeat(depth + 1)}${entry}`).join(',\n');
  return `${open}\n${inner}${inner === '' ? '' : '\n'}${INDENT.repeat(depth)}${close}`;
}
