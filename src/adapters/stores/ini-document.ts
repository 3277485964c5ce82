import { interpretLine, type LineMeaning } from './ini-line.js';
import { escapeKey, escapeValue } from './qsettings-ini.js';

/** A line this document cannot read as a setting: kept as it is, and reported. */
export interface IniProblem {
  /** 1-based. */
  readonly line: number;
  readonly reason: string;
}

interface Line {
  /** The line's bytes without its terminator; never re-encoded unless the line is the one changed. */
  readonly bytes: Buffer;
  /** `\n`, `\r\n`, or empty for a last line without one. */
  readonly eol: string;
  readonly meaning: LineMeaning;
}

/**
 * Multipass's settings file (QSettings IniFormat) as lines, edited one line at a time so that
 * everything an admin wrote (comments, blank lines, other groups and keys, lines this reader
 * does not understand, even bytes that are not UTF-8) stays byte for byte.
 *
 * A setting `k` is the key `k` of the `[General]` group (or of the lines before any group), as
 * QSettings keeps Multipass's `local.passphrase`. Files written by earlier versions of this
 * project kept `a.b` as key `b` of a group `[a]`, in the `ini` package's escaping: those are
 * still read (a `[General]` key wins over them) and are moved to `[General]` when next written.
 */
export class IniDocument {
  private constructor(
    private readonly lines: readonly Line[],
    private readonly eolStyle: string,
  ) {}

  static parse(bytes: Uint8Array): IniDocument {
    const lines: Line[] = [];
    let general = true;
    let legacySection = '';
    let start = 0;
    let eolStyle: string | undefined;
    while (start < bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline < 0 ? bytes.length : newline;
      const crlf = end > start && bytes[end - 1] === 0x0d && newline >= 0;
      const content = Buffer.from(bytes.subarray(start, crlf ? end - 1 : end));
      const eol = newline < 0 ? '' : crlf ? '\r\n' : '\n';
      eolStyle ??= eol === '' ? undefined : eol;
      const meaning = interpretLine(content, general, legacySection);
      if (meaning.kind === 'section') {
        general = meaning.general;
        legacySection = meaning.name;
      }
      lines.push({ bytes: content, eol, meaning });
      start = newline < 0 ? bytes.length : newline + 1;
    }
    return new IniDocument(lines, eolStyle ?? '\n');
  }

  /** Every setting: `[General]` keys win over the older `[group]` form of the same key; the last of duplicates wins. */
  values(): Map<string, string> {
    const legacy = new Map<string, string>();
    const general = new Map<string, string>();
    for (const { meaning } of this.lines) {
      if (meaning.kind === 'entry') (meaning.general ? general : legacy).set(meaning.key, meaning.value);
    }
    return new Map([...legacy, ...general]);
  }

  /** Whether `key` is (also) kept in the older `[group]` form. */
  hasLegacy(key: string): boolean {
    return this.lines.some((line) => isEntry(line, key, false));
  }

  problems(): IniProblem[] {
    return this.lines.flatMap(({ meaning }, i) => (meaning.kind === 'problem' ? [{ line: i + 1, reason: meaning.reason }] : []));
  }

  /**
   * The file with `key` set to `value`: the key's `[General]` line rewritten in place, or a
   * line appended to the `[General]` group (made at the end of the file if there is none);
   * the key's older `[group]` form, if any, removed. Every other line is kept as it was.
   * @throws IniLineError when a line this reader could not interpret may hold the same key.
   */
  withValue(key: string, value: string): Buffer {
    this.refuseUnreadable(key);
    const text = Buffer.from(`${escapeKey(key)}=${escapeValue(value)}`, 'utf8');
    const lines = this.withoutLegacy(key);
    const current = lastIndex(lines, (line) => isEntry(line, key, true));
    if (current >= 0) {
      lines[current] = { ...lines[current]!, bytes: text };
    } else {
      this.insertIntoGeneral(lines, text);
    }
    return join(lines);
  }

  /** The file without `key` (either form), or undefined when it has no such key. */
  without(key: string): Buffer | undefined {
    this.refuseUnreadable(key);
    const lines = this.withoutLegacy(key);
    const kept = lines.filter((line) => !isEntry(line, key, true));
    return kept.length === this.lines.length ? undefined : join(kept);
  }

  /** A damaged line that reads as the same key would shadow or duplicate what we write. */
  private refuseUnreadable(key: string): void {
    const index = this.lines.findIndex(({ meaning }) => meaning.kind === 'problem' && meaning.key === key);
    const line = this.lines[index];
    if (line !== undefined && line.meaning.kind === 'problem') throw new IniLineError(index + 1, line.meaning.reason);
  }

  /**
   * The lines minus the older `[group]` form of `key`; a group that this empties (nothing but
   * blank lines left) goes too, header and blank lines, since it only ever held our settings.
   */
  private withoutLegacy(key: string): Line[] {
    const removed = this.lines.filter((line) => isEntry(line, key, false));
    if (removed.length === 0) return [...this.lines];
    const kept: Line[] = [];
    for (const group of groups(this.lines)) {
      const body = group.body.filter((line) => !removed.includes(line));
      const emptied = group.header !== undefined && body.length < group.body.length && body.every(isBlank);
      if (!emptied) kept.push(...(group.header === undefined ? [] : [group.header]), ...body);
    }
    return kept;
  }

  /** After the last line of the `[General]` group (or of the lines before any group), else a new group at the end. */
  private insertIntoGeneral(lines: Line[], text: Buffer): void {
    const entry: Line = { bytes: text, eol: this.eolStyle, meaning: { kind: 'other' } };
    const header = lines.findIndex(({ meaning }) => meaning.kind === 'section' && meaning.general);
    const firstSection = lines.findIndex(({ meaning }) => meaning.kind === 'section');
    let at: number;
    if (header >= 0) {
      const next = lines.findIndex((line, i) => i > header && line.meaning.kind === 'section');
      at = 1 + lastIndex(lines.slice(0, next < 0 ? undefined : next), (line, i) => i === header || isSetting(line));
    } else {
      const preamble = lines.slice(0, firstSection < 0 ? undefined : firstSection);
      at = 1 + lastIndex(preamble, isSetting);
    }
    if (at > 0) {
      endLine(lines, at - 1, this.eolStyle);
      lines.splice(at, 0, entry);
      return;
    }
    endLine(lines, lines.length - 1, this.eolStyle);
    const last = lines[lines.length - 1];
    const separator: Line[] = last !== undefined && !isBlank(last) ? [blankLine(this.eolStyle)] : [];
    const group: Line = { bytes: Buffer.from('[General]'), eol: this.eolStyle, meaning: { kind: 'section', general: true, name: '' } };
    lines.push(...separator, group, entry);
  }
}

/** A write refused because a line the reader could not interpret may hold the key being written. */
export class IniLineError extends Error {
  override name = 'IniLineError';

  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** The lines before the first header, then each header with the lines up to the next. */
function groups(lines: readonly Line[]): Array<{ header?: Line; body: Line[] }> {
  const result: Array<{ header?: Line; body: Line[] }> = [{ body: [] }];
  for (const line of lines) {
    if (line.meaning.kind === 'section') result.push({ header: line, body: [] });
    else result[result.length - 1]!.body.push(line);
  }
  return result;
}

function isBlank(line: Line): boolean {
  return line.bytes.toString('latin1').trim() === '';
}

function isEntry(line: Line, key: string, general: boolean): boolean {
  return line.meaning.kind === 'entry' && line.meaning.general === general && line.meaning.key === key;
}

/** A line that belongs to a group's content: an entry or one we could not read (both may be settings). */
function isSetting(line: Line): boolean {
  return line.meaning.kind === 'entry' || line.meaning.kind === 'problem';
}

function lastIndex<T>(items: readonly T[], test: (item: T, index: number) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!, i)) return i;
  return -1;
}

/** A line that gets something after it must end with a line break. */
function endLine(lines: Line[], index: number, eol: string): void {
  const line = lines[index];
  if (line !== undefined && line.eol === '') lines[index] = { ...line, eol };
}

function blankLine(eol: string): Line {
  return { bytes: Buffer.alloc(0), eol, meaning: { kind: 'other' } };
}

function join(lines: readonly Line[]): Buffer {
  return Buffer.concat(lines.flatMap((line) => [line.bytes, Buffer.from(line.eol)]));
}
