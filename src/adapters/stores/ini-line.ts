import * as ini from 'ini';
import { unescapeKey, unescapeValue } from './qsettings-ini.js';

/** What one line of a settings file says. */
export type LineMeaning =
  | { readonly kind: 'other' }
  | { readonly kind: 'section'; readonly general: boolean; readonly name: string }
  | { readonly kind: 'entry'; readonly key: string; readonly value: string; readonly general: boolean }
  | { readonly kind: 'problem'; readonly reason: string; readonly key?: string };

const GENERAL = 'general';
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');

/**
 * Reads one line (without its line break) in the group it sits in: `general` for `[General]`
 * and the lines before any group, else the name of an older `[group]` of ours.
 */
export function interpretLine(bytes: Buffer, general: boolean, legacySection: string): LineMeaning {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    const lenient = interpretLine(Buffer.from(LENIENT_UTF8.decode(bytes), 'utf8'), general, legacySection);
    return { kind: 'problem', reason: 'not valid UTF-8', ...(keyOf(lenient) === undefined ? {} : { key: keyOf(lenient)! }) };
  }
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) return { kind: 'other' };
  const header = /^\s*\[([^\]]*)\]\s*$/.exec(text);
  if (header !== null) {
    const name = header[1]!.trim();
    return { kind: 'section', general: name.toLowerCase() === GENERAL, name };
  }
  return general ? qsettingsEntry(text) : legacyEntry(text, legacySection);
}

function keyOf(meaning: LineMeaning): string | undefined {
  return meaning.kind === 'entry' || meaning.kind === 'problem' ? meaning.key : undefined;
}

/** `key=value` as QSettings reads it: the first `=` and `;` outside quotes split key, value and comment. */
function qsettingsEntry(text: string): LineMeaning {
  let equals = -1;
  let comment = text.length;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      if (i === text.length - 1) return { kind: 'problem', reason: 'continues on the next line (a trailing backslash), which multipassd does not read' };
      i += 1;
    } else if (ch === '"') {
      inQuotes = !inQuotes;
    } else if (ch === '=' && !inQuotes && equals < 0) {
      equals = i;
    } else if (ch === ';' && !inQuotes) {
      comment = i;
      break;
    }
  }
  if (equals < 0 || equals > comment) return { kind: 'problem', reason: 'not a key=value line' };
  const key = unescapeKey(text.slice(0, equals).trim());
  if (key === '') return { kind: 'problem', reason: 'empty key' };
  if (inQuotes) return { kind: 'problem', reason: 'a quoted value runs past the end of the line', key };
  const value = unescapeValue(text.slice(equals + 1, comment));
  return 'problem' in value ? { kind: 'problem', reason: value.problem, key } : { kind: 'entry', key, value: value.value, general: true };
}

/** `name=value` in a `[group]`, as earlier versions of this project wrote `group.name` with the `ini` package. */
function legacyEntry(text: string, section: string): LineMeaning {
  const equals = text.indexOf('=');
  if (equals < 0) return { kind: 'problem', reason: 'not a key=value line' };
  const name = ini.unsafe(text.slice(0, equals));
  if (name === '') return { kind: 'problem', reason: 'empty key' };
  const key = `${section}.${name}`;
  if (name.endsWith('[]')) return { kind: 'problem', reason: 'array keys are not supported', key };
  return { kind: 'entry', key, value: ini.unsafe(text.slice(equals + 1)), general: false };
}
