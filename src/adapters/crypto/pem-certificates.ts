import { hash } from 'node:crypto';
import { AuthError } from '../../domain/auth-error.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/** One `BEGIN CERTIFICATE` block and where it sits in the text it was found in. */
export interface PemBlock {
  /** Offset of the BEGIN marker. */
  readonly start: number;
  /** Offset just past the END marker and the line break that follows it, if any. */
  readonly end: number;
  /** 1-based line number of the BEGIN marker. */
  readonly line: number;
  /** Present when the block holds a plausible certificate; absent when it is corrupt. */
  readonly fingerprint?: Fingerprint;
  /** The certificate in canonical armour: present with `fingerprint` when the scan was asked for it. */
  readonly certificate?: TrustedCertificate;
  /** Why the block is corrupt; absent when `fingerprint` is present. */
  readonly reason?: string;
}

export interface SkippedPemBlock {
  /** 0-based position of the block among all BEGIN markers in the text. */
  readonly index: number;
  readonly line: number;
  readonly reason: string;
}

/**
 * Finds every certificate block in `text`, in order, with each certificate in canonical
 * armour. Certificates are not parsed (parsing thousands with X509Certificate costs seconds
 * at start-up): a block is kept when its body is strict base64 of one DER SEQUENCE that covers
 * exactly the decoded bytes. Text outside blocks is ignored, so the offsets let a caller
 * rewrite the text without disturbing it.
 */
export function findPemCertificateBlocks(text: string): PemBlock[] {
  return scanAll(text, true);
}

/** As findPemCertificateBlocks, with fingerprints only (no armour kept): for indexes and rewrites. */
export function findPemFingerprintBlocks(text: string): PemBlock[] {
  return scanAll(text, false);
}

function scanAll(text: string, withCertificates: boolean): PemBlock[] {
  const scanner = new PemBlockScanner(withCertificates);
  return [...scanner.feed(text), ...scanner.finish()];
}

/**
 * Finds certificate blocks in a text given piece by piece (a file read in chunks), with the
 * same blocks, offsets and line numbers as findPemCertificateBlocks on the whole text, while
 * holding only the undecided tail: at most one block in progress, or a few characters that
 * could start a marker. Offsets count characters of the whole text (bytes, for latin1).
 */
export class PemBlockScanner {
  /** Text not yet decided on; `base` is the offset of its first character in the whole text. */
  private pending = '';
  private base = 0;
  private lines = new LineCounter('');
  /** Relative to `pending`: markers were searched for up to here (for a block still open). */
  private searchedTo = 0;

  constructor(private readonly withCertificates = false) {}

  /** The blocks that `chunk` completes. */
  feed(chunk: string): PemBlock[] {
    this.pending += chunk;
    this.lines.extend(this.pending);
    return this.scan(false);
  }

  /** The blocks left at the end of the text (a block without its END line is corrupt). */
  finish(): PemBlock[] {
    return this.scan(true);
  }

  private scan(final: boolean): PemBlock[] {
    const text = this.pending;
    const blocks: PemBlock[] = [];
    // Forward-only cursors: each marker is searched for once, so the scan is linear even in a
    // file of thousands of BEGIN lines and no END (searching for END afresh from every BEGIN
    // took 33 s on 40,000 of them).
    const begins = new MarkerCursor(text, BEGIN);
    const ends = new MarkerCursor(text, END);
    let start = begins.next(0);
    let decided = start < 0 ? Math.max(0, text.length - BEGIN.length + 1) : start;
    while (start >= 0) {
      const bodyStart = start + BEGIN.length;
      const searchFrom = Math.max(bodyStart, this.searchedTo);
      const endMarker = ends.next(searchFrom);
      const nextBegin = begins.next(searchFrom);
      if (endMarker < 0 || (nextBegin >= 0 && nextBegin < endMarker)) {
        if (nextBegin < 0 && !final) {
          // Undecided until its END line or the next BEGIN arrives: a marker cut at the
          // chunk's end (BEGIN is the longer) is searched for again, the rest is not.
          this.searchedTo = Math.max(bodyStart, text.length - BEGIN.length + 1);
          break;
        }
        // A truncated block: it runs to the next block (or to the end), which is then tried on its own.
        const end = nextBegin >= 0 ? nextBegin : text.length;
        const reason = `no '${END}' line before ${nextBegin >= 0 ? 'the next certificate' : 'the end of the file'}`;
        blocks.push({ start: this.base + start, end: this.base + end, line: this.lines.lineAt(start), reason });
        this.searchedTo = 0;
        start = nextBegin;
        decided = start >= 0 ? start : text.length;
        continue;
      }
      const markerEnd = endMarker + END.length;
      // A `\r\n` may be cut between two chunks.
      if (!final && markerEnd + 2 > text.length) {
        this.searchedTo = Math.max(bodyStart, endMarker);
        break;
      }
      const end = skipLineBreak(text, markerEnd);
      blocks.push(this.block(this.base + start, this.base + end, this.lines.lineAt(start), text.slice(bodyStart, endMarker)));
      this.searchedTo = 0;
      start = begins.next(end);
      decided = start >= 0 ? start : Math.max(end, text.length - BEGIN.length + 1);
    }
    if (final) decided = text.length;
    this.drop(decided);
    return blocks;
  }

  private block(start: number, end: number, line: number, body: string): PemBlock {
    const decoded = decodeBody(body);
    if (typeof decoded === 'string') return { start, end, line, reason: decoded };
    const fingerprint = fingerprintOfDer(decoded);
    return this.withCertificates ? { start, end, line, fingerprint, certificate: { fingerprint, pem: armour(decoded) } } : { start, end, line, fingerprint };
  }

  /** Forgets the first `count` characters of the pending text, all decided. */
  private drop(count: number): void {
    if (count === 0) return;
    this.lines.lineAt(count);
    this.pending = this.pending.slice(count);
    this.base += count;
    this.lines.rebase(count, this.pending);
    this.searchedTo = Math.max(0, this.searchedTo - count);
  }
}

/**
 * Splits a bundle of concatenated PEM certificates (Multipass's `multipass_client_certs.pem`).
 * Corrupt blocks are reported in `skipped`, never thrown.
 */
export function splitPemCertificates(text: string): {
  certificates: TrustedCertificate[];
  skipped: SkippedPemBlock[];
} {
  const certificates: TrustedCertificate[] = [];
  const skipped: SkippedPemBlock[] = [];
  findPemCertificateBlocks(text).forEach((block, index) => {
    if (block.certificate !== undefined) certificates.push(block.certificate);
    else skipped.push({ index, line: block.line, reason: block.reason ?? 'corrupt' });
  });
  return { certificates, skipped };
}

/**
 * One line about every corrupt block, for a log: the count, then the first few with line and
 * reason (a file may hold thousands). Undefined when none is corrupt.
 */
export function summariseCorruptBlocks(
  blocks: readonly PemBlock[],
  shown = 3,
): { count: number; line: number; text: string } | undefined {
  const corrupt = blocks.filter((block) => block.fingerprint === undefined);
  const [first] = corrupt;
  if (first === undefined) return undefined;
  const details = corrupt.slice(0, shown).map((block) => `line ${block.line}: ${block.reason}`);
  if (corrupt.length > shown) details.push(`and ${corrupt.length - shown} more`);
  const noun = corrupt.length === 1 ? 'block' : 'blocks';
  return { count: corrupt.length, line: first.line, text: `${corrupt.length} corrupt certificate ${noun} (${details.join('; ')})` };
}

/** The lowercase hex SHA-256 of a certificate's DER encoding. */
export function fingerprintOfDer(der: Uint8Array): Fingerprint {
  return hash('sha256', der, 'hex') as Fingerprint;
}

/**
 * Reads exactly one certificate, normalised to canonical armour.
 * @throws AuthError `invalid-certificate` when the text holds no certificate, more than one,
 * or a corrupt block.
 */
export function trustedCertificateFromPem(pem: string): TrustedCertificate {
  const { certificates, skipped } = splitPemCertificates(pem);
  const corrupt = skipped[0];
  if (corrupt !== undefined) {
    throw new AuthError('invalid-certificate', `The certificate on line ${corrupt.line} is corrupt: ${corrupt.reason}.`);
  }
  const [only, ...rest] = certificates;
  if (only === undefined) {
    throw new AuthError('invalid-certificate', `No '${BEGIN}' block found.`);
  }
  if (rest.length > 0) {
    throw new AuthError('invalid-certificate', `Expected one certificate, found ${certificates.length}.`);
  }
  return only;
}

/** Canonical armour: 64-character base64 lines, `\n` line ends, trailing newline. */
export function armour(der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`;
}

/**
 * The DER bytes, or the reason the body is not a plausible certificate. Strict base64: the
 * body without its whitespace must be exactly what the bytes encode to (Buffer's decoder
 * skips what it does not know and is lenient about padding and the last group's unused bits).
 * One pass over the body, without building the stripped text: this runs for every
 * certificate of the store at start-up.
 */
function decodeBody(body: string): Buffer | string {
  const der = decodeInto(body);
  const canonical = der.toString('base64');
  if (isCanonicalBody(body, canonical)) return hasExactDerSequence(der) ? der : 'not a DER certificate';
  let at = 0;
  for (let i = 0; i < body.length; i += 1) {
    const code = body.charCodeAt(i);
    if (code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a) continue;
    if (at >= canonical.length || canonical.charCodeAt(at) !== code) return 'not valid base64';
    at += 1;
  }
  if (at === 0) return 'empty body';
  if (at !== canonical.length) return 'not valid base64';
  return hasExactDerSequence(der) ? der : 'not a DER certificate';
}

/** Decoding happens once per certificate at start-up; the bytes are used at once, never kept. */
let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * The base64 body decoded into a shared scratch buffer: a view valid until the next call.
 * (A Buffer per certificate left tens of MB of pooled slabs for the GC after a large store.)
 */
function decodeInto(body: string): Buffer {
  if (scratch.length < body.length) scratch = Buffer.allocUnsafe(body.length);
  return scratch.subarray(0, scratch.write(body, 'base64'));
}

/** The common case, checked a line at a time: the body is `canonical` in 64-character `\n`-ended lines. */
function isCanonicalBody(body: string, canonical: string): boolean {
  const lines = Math.ceil(canonical.length / 64);
  if (lines === 0 || body.length !== 1 + canonical.length + lines || body.charCodeAt(0) !== 0x0a) return false;
  for (let line = 0, at = 1; line < lines; line += 1, at += 65) {
    const text = canonical.slice(line * 64, line * 64 + 64);
    // Equality of two slices compares their characters at once; startsWith went character by character, 5x slower.
    if (body.slice(at, at + text.length) !== text || body.charCodeAt(at + text.length) !== 0x0a) return false;
  }
  return true;
}

/** Outer tag SEQUENCE whose definite length covers exactly the rest of the bytes. */
function hasExactDerSequence(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1] as number;
  if (first < 0x80) return 2 + first === der.length;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || der.length < 2 + count) return false;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (der[2 + i] as number);
  return 2 + count + length === der.length;
}

function skipLineBreak(text: string, at: number): number {
  if (text.startsWith('\r\n', at)) return at + 2;
  if (text[at] === '\n' || text[at] === '\r') return at + 1;
  return at;
}

/**
 * The first occurrence of a marker at or after an offset, for offsets that never decrease:
 * an occurrence found once is reused until the offset passes it, and "none left" is final.
 */
class MarkerCursor {
  private found = -1;
  private searchedFrom = -1;

  constructor(
    private readonly text: string,
    private readonly marker: string,
  ) {}

  next(from: number): number {
    if (this.searchedFrom >= 0 && (this.found < 0 || this.found >= from)) return this.found;
    this.searchedFrom = from;
    this.found = this.text.indexOf(this.marker, from);
    return this.found;
  }
}

/** Line numbers for increasing offsets without rescanning from the start each time. */
class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private text: string) {}

  /** The same text with more at its end. */
  extend(text: string): void {
    this.text = text;
  }

  /** The text without its first `count` characters, whose lines have all been counted. */
  rebase(count: number, text: string): void {
    this.text = text;
    this.offset = Math.max(0, this.offset - count);
  }

  lineAt(target: number): number {
    for (let i = this.text.indexOf('\n', this.offset); i >= 0 && i < target; i = this.text.indexOf('\n', i + 1)) {
      this.line += 1;
      this.offset = i + 1;
    }
    return this.line;
  }
}

/**
 * The certificate in canonical armour, checked against the fingerprint it claims: what every
 * store writes, so that the same certificate compares equal whichever store it came from.
 * @throws AuthError `invalid-certificate` when `pem` is not one certificate with that fingerprint.
 */
export function canonicalCertificate(certificate: TrustedCertificate): TrustedCertificate {
  const parsed = trustedCertificateFromPem(certificate.pem);
  if (parsed.fingerprint !== certificate.fingerprint) {
    throw new AuthError('invalid-certificate', 'The certificate does not match its fingerprint.');
  }
  return parsed;
}
