import { createHash } from 'node:crypto';
import { AuthError } from '../../domain/auth-error.js';
import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;
const WHITESPACE = /[ \t\r\n]+/g;

/** One `BEGIN CERTIFICATE` block and where it sits in the text it was found in. */
export interface PemBlock {
  /** Offset of the BEGIN marker. */
  readonly start: number;
  /** Offset just past the END marker and the line break that follows it, if any. */
  readonly end: number;
  /** 1-based line number of the BEGIN marker. */
  readonly line: number;
  /** Present when the block holds a plausible certificate; absent when it is corrupt. */
  readonly certificate?: TrustedCertificate;
  /** Why the block is corrupt; absent when `certificate` is present. */
  readonly reason?: string;
}

export interface SkippedPemBlock {
  /** 0-based position of the block among all BEGIN markers in the text. */
  readonly index: number;
  readonly line: number;
  readonly reason: string;
}

/**
 * Finds every certificate block in `text`, in order. Certificates are not parsed (parsing
 * thousands with X509Certificate costs seconds at start-up): a block is kept when its body
 * is strict base64 of one DER SEQUENCE that covers exactly the decoded bytes. Text outside
 * blocks is ignored, so the offsets let a caller rewrite the text without disturbing it.
 */
export function findPemCertificateBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const lines = new LineCounter(text);
  // Forward-only cursors: each marker is searched for once, so the scan is linear even in a
  // file of thousands of BEGIN lines and no END (searching for END afresh from every BEGIN
  // took 33 s on 40,000 of them).
  const begins = new MarkerCursor(text, BEGIN);
  const ends = new MarkerCursor(text, END);
  for (let start = begins.next(0); start >= 0; ) {
    const line = lines.lineAt(start);
    const bodyStart = start + BEGIN.length;
    const endMarker = ends.next(bodyStart);
    const nextBegin = begins.next(bodyStart);
    if (endMarker < 0 || (nextBegin >= 0 && nextBegin < endMarker)) {
      // A truncated block: it runs to the next block (or to the end), which is then tried on its own.
      const end = nextBegin >= 0 ? nextBegin : text.length;
      blocks.push({ start, end, line, reason: `no '${END}' line before ${nextBegin >= 0 ? 'the next certificate' : 'the end of the file'}` });
      start = nextBegin;
      continue;
    }
    const end = skipLineBreak(text, endMarker + END.length);
    const decoded = decodeBody(text.slice(bodyStart, endMarker));
    blocks.push(
      typeof decoded === 'string'
        ? { start, end, line, reason: decoded }
        : { start, end, line, certificate: { fingerprint: fingerprintOfDer(decoded), pem: armour(decoded) } },
    );
    start = begins.next(end);
  }
  return blocks;
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
  const corrupt = blocks.filter((block) => block.certificate === undefined);
  const [first] = corrupt;
  if (first === undefined) return undefined;
  const details = corrupt.slice(0, shown).map((block) => `line ${block.line}: ${block.reason}`);
  if (corrupt.length > shown) details.push(`and ${corrupt.length - shown} more`);
  const noun = corrupt.length === 1 ? 'block' : 'blocks';
  return { count: corrupt.length, line: first.line, text: `${corrupt.length} corrupt certificate ${noun} (${details.join('; ')})` };
}

/** The lowercase hex SHA-256 of a certificate's DER encoding. */
export function fingerprintOfDer(der: Uint8Array): Fingerprint {
  return createHash('sha256').update(der).digest('hex') as Fingerprint;
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

/** The DER bytes, or the reason the body is not a plausible certificate. */
function decodeBody(body: string): Buffer | string {
  const base64 = body.replace(WHITESPACE, '');
  if (base64 === '') return 'empty body';
  if (!BASE64_BODY.test(base64) || base64.length % 4 !== 0) return 'not valid base64';
  const der = Buffer.from(base64, 'base64');
  // Buffer's decoder is lenient about the unused bits of the last group; a strict reading is not.
  if (der.toString('base64') !== base64) return 'not valid base64';
  return hasExactDerSequence(der) ? der : 'not a DER certificate';
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

  constructor(private readonly text: string) {}

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
