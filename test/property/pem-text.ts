import fc from 'fast-check';
import type { TestCertificate } from '../support/test-certificates.js';

export const BEGIN = '-----BEGIN CERTIFICATE-----';
export const END = '-----END CERTIFICATE-----';

/** Pieces that look like armour, so that generated text comes near the parser's edge cases. */
const NEAR_ARMOUR = [
  '-----',
  '-----BEGIN ',
  'BEGIN',
  'END',
  ' CERTIFICATE',
  'CERTIFICATE-----',
  '-----END CERTIFICATE',
  'MIIB',
  'MII',
  'AAAA',
  '====',
  '=',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '\t',
  '#',
  '\u0000',
  'é',
  '\ud800',
];

/** Any UTF-16 text, lone surrogates included (what a JS string can hold). */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 30 });

/** Short text of any kind: random code units, or armour-like pieces glued together. */
export const junk = fc
  .array(fc.oneof(fc.constantFrom(...NEAR_ARMOUR), fc.string({ unit: 'binary', maxLength: 20 }), anyUtf16), { maxLength: 8 })
  .map((pieces) => pieces.join(''));

/** Junk that cannot form or complete an armour line next to a certificate. */
export const markerFreeJunk = junk.filter((text) => !text.includes('-----BEGIN') && !text.includes('-----END') && !text.includes('CERTIFICATE-----'));

/** Bytes as latin1 text (one character per byte), armour-free, for files a store reads. */
export const markerFreeBytes = fc
  .oneof(fc.uint8Array({ maxLength: 60 }), markerFreeJunk.map((text) => new Uint8Array(Buffer.from(text, 'utf8'))))
  .map((bytes) => Buffer.from(bytes).toString('latin1'))
  .filter((text) => !text.includes('-----BEGIN') && !text.includes('-----END') && !text.includes('CERTIFICATE-----'));

/** The base64 body of a canonical PEM, on one line. */
export function base64Of(pem: string): string {
  return pem.replace(BEGIN, '').replace(END, '').replace(/\s/g, '');
}

/** How a person or another tool might have written the same certificate. */
export interface ArmourStyle {
  /** Characters per base64 line (0 = all on one line). */
  readonly width: number;
  readonly lineEnd: '\n' | '\r\n' | '\r';
  /** Whitespace cycled through around the body lines: indentation, trailing blanks, blank lines. */
  readonly padding: readonly string[];
  /** What follows the END marker: a line break, or nothing. */
  readonly trailer: '' | '\n' | '\r\n';
}

export const armourStyle: fc.Arbitrary<ArmourStyle> = fc.record({
  width: fc.oneof(fc.constant(64), fc.constant(0), fc.integer({ min: 1, max: 120 })),
  lineEnd: fc.constantFrom('\n' as const, '\r\n' as const, '\r' as const),
  padding: fc.array(fc.constantFrom('', ' ', '\t', '  \t', '\n', '\r\n', ' \n '), { minLength: 1, maxLength: 6 }),
  trailer: fc.constantFrom('' as const, '\n' as const, '\r\n' as const),
});

/** Armour with a line break after END: what a store's file holds when nobody cut it short. */
export const terminatedArmourStyle = armourStyle.filter((style) => style.trailer !== '');

/** The certificate in `style`: same DER, different text. */
export function rearmour(cert: TestCertificate, style: ArmourStyle): string {
  const body = base64Of(cert.pem);
  const lines: string[] = [];
  if (style.width === 0) lines.push(body);
  else for (let i = 0; i < body.length; i += style.width) lines.push(body.slice(i, i + style.width));
  const pad = (i: number): string => style.padding[i % style.padding.length] ?? '';
  const padded = lines.map((line, i) => `${pad(i)}${line}${pad(i + 1)}`);
  return `${BEGIN}${style.lineEnd}${padded.join(style.lineEnd)}${style.lineEnd}${END}${style.trailer}`;
}

/** A text made of junk and certificates, and where each certificate went. */
export interface Bundle {
  readonly text: string;
  readonly placed: ReadonlyArray<{ readonly cert: TestCertificate; readonly start: number; readonly end: number }>;
}

/** `junk[0] cert[0] junk[1] cert[1] ... junk[n]`, each certificate in its own style. */
export function bundle(certs: readonly TestCertificate[], styles: readonly ArmourStyle[], junks: readonly string[]): Bundle {
  let text = junks[0] ?? '';
  const placed = certs.map((cert, i) => {
    const start = text.length;
    text += rearmour(cert, styles[i % styles.length] as ArmourStyle);
    const end = text.length;
    text += junks[i + 1] ?? '';
    return { cert, start, end };
  });
  return { text, placed };
}

/** Indexes into a pool of `size` certificates (repeats allowed). */
export const picks = (size: number, maxLength: number) => fc.array(fc.nat({ max: size - 1 }), { maxLength });

export function occurrences(text: string, marker: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) found.push(at);
  return found;
}
