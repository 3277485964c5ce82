/*
 * How Qt's QSettings (IniFormat) writes and reads keys and values, so that Multipass's
 * `multipassd.conf` and ours are one format: Multipass keeps `local.passphrase` as key
 * `local.passphrase` of the `[General]` group, with QSettings' escaping (Qt's
 * QSettingsPrivate::iniEscapedKey / iniEscapedString and their inverses). Facts taken from
 * Qt's behaviour; only what a string setting needs.
 */

const PLAIN_KEY_CHAR = /[A-Za-z0-9_.-]/;

/** A key as QSettings writes it: `/` as `\`, anything but `[A-Za-z0-9_.-]` as `%XX` or `%UXXXX`. */
export function escapeKey(key: string): string {
  let out = '';
  for (const unit of utf16Units(key)) {
    const ch = String.fromCharCode(unit);
    if (ch === '/') out += '\\';
    else if (PLAIN_KEY_CHAR.test(ch)) out += ch;
    else if (unit <= 0xff) out += `%${hex(unit, 2)}`;
    else out += `%U${hex(unit, 4)}`;
  }
  return out;
}

/** The inverse of `escapeKey`, as lenient as Qt: a `%` not followed by hex digits is itself. */
export function unescapeKey(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === '\\') {
      out += '/';
      i += 1;
      continue;
    }
    if (ch !== '%' || i === text.length - 1) {
      out += ch;
      i += 1;
      continue;
    }
    const wide = text[i + 1] === 'U';
    const first = i + (wide ? 2 : 1);
    const digits = text.slice(first, first + (wide ? 4 : 2));
    if (digits.length !== (wide ? 4 : 2) || !/^[0-9A-Fa-f]+$/.test(digits)) {
      out += '%';
      i += 1;
      continue;
    }
    out += String.fromCharCode(parseInt(digits, 16));
    i = first + digits.length;
  }
  return out;
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/**
 * A string value as QSettings writes it: a leading `@` doubled (QSettings reserves it for
 * typed values), control characters, quotes and backslashes escaped, and the whole quoted
 * when it holds `;` (a comment), `,` (a list) or `=`, or starts or ends with a space.
 */
export function escapeValue(value: string): string {
  const text = value.startsWith('@') ? `@${value}` : value;
  let out = '';
  let needsQuotes = false;
  let escapeNextIfHexDigit = false;
  for (const ch of text) {
    if (ch === ';' || ch === ',' || ch === '=') needsQuotes = true;
    if (escapeNextIfHexDigit && /^[0-9A-Fa-f]$/.test(ch)) {
      out += `\\x${ch.charCodeAt(0).toString(16)}`;
      continue;
    }
    escapeNextIfHexDigit = false;
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) {
      out += named;
      escapeNextIfHexDigit = ch === '\0';
    } else if (ch.charCodeAt(0) <= 0x1f) {
      out += `\\x${ch.charCodeAt(0).toString(16)}`;
      escapeNextIfHexDigit = true;
    } else {
      out += ch;
    }
  }
  return needsQuotes || out.startsWith(' ') || out.endsWith(' ') ? `"${out}"` : out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '?': '?',
  "'": "'",
  '\\': '\\',
};

/**
 * A value as QSettings reads it as a string: surrounding blanks dropped, quotes and escapes
 * undone, `@@` back to `@`. What QSettings would not read as one string (a comma-separated
 * list, a typed `@Type(...)` value) is reported, not guessed at.
 */
export function unescapeValue(raw: string): { value: string } | { problem: string } {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  let inQuotes = false;
  let chopLimit = 0;
  let i = skipBlanks(raw, 0);
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === '\\') {
      const next = raw[i + 1];
      i += 2;
      if (next === undefined) break;
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        current += simple;
      } else if (next === 'x' || /[0-7]/.test(next)) {
        const [digits, radix] = next === 'x' ? [/^[0-9A-Fa-f]*/.exec(raw.slice(i))![0], 16] : [/^[0-7]*/.exec(raw.slice(i - 1))![0], 8];
        if (next === 'x') i += digits.length;
        else i += digits.length - 1;
        if (digits !== '') current += String.fromCharCode(parseInt(digits, radix) & 0xffff);
      }
      chopLimit = current.length;
    } else if (ch === '"') {
      i += 1;
      quoted = true;
      inQuotes = !inQuotes;
      if (!inQuotes) i = skipBlanks(raw, i);
    } else if (ch === ',' && !inQuotes) {
      items.push(quoted ? current : chopBlanks(current, chopLimit));
      current = '';
      quoted = false;
      chopLimit = 0;
      i = skipBlanks(raw, i + 1);
    } else {
      const stop = nextSpecial(raw, i + 1);
      current += raw.slice(i, stop);
      i = stop;
    }
  }
  const last = quoted ? current : chopBlanks(current, chopLimit);
  if (items.length > 0) return { problem: 'a comma-separated list, not one value (quote it: "a,b")' };
  if (last.startsWith('@')) {
    if (last.startsWith('@@')) return { value: last.slice(1) };
    if (/^@[A-Za-z]+\(.*\)$/s.test(last)) return { problem: `a typed QSettings value (${last.slice(0, last.indexOf('(') + 1)}...), not a string` };
  }
  return { value: last };
}

/** Code units, as Qt's QChar iterates a QString. */
function* utf16Units(text: string): Generator<number> {
  for (let i = 0; i < text.length; i++) yield text.charCodeAt(i);
}

function hex(value: number, width: number): string {
  return value.toString(16).toUpperCase().padStart(width, '0');
}

function skipBlanks(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i += 1;
  return i;
}

function chopBlanks(text: string, limit: number): string {
  let end = text.length;
  while (end > limit && (text[end - 1] === ' ' || text[end - 1] === '\t')) end -= 1;
  return text.slice(0, end);
}

function nextSpecial(text: string, from: number): number {
  let i = from;
  while (i < text.length && text[i] !== '\\' && text[i] !== '"' && text[i] !== ',') i += 1;
  return i;
}
