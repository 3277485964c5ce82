import { expect } from 'chai';
import fc from 'fast-check';
import {
  canonicalCertificate,
  findPemCertificateBlocks,
  splitPemCertificates,
  trustedCertificateFromPem,
  type PemBlock,
} from '../../src/adapters/crypto/pem-certificates.js';
import { AuthError } from '../../src/domain/auth-error.js';
import type { Fingerprint } from '../../src/domain/fingerprint.js';
import { testCertificatePool, type TestCertificate } from '../support/test-certificates.js';
import { propertyRuns } from './property-runs.js';
import { armourStyle, BEGIN, bundle, END, junk, markerFreeJunk, occurrences, picks } from './pem-text.js';

const POOL_SIZE = 6;

describe('PEM parser properties', () => {
  let pool: readonly TestCertificate[];

  before(async () => {
    pool = await testCertificatePool(POOL_SIZE);
  });

  /** Armour pieces, junk and slices of real certificates glued in any order: what a damaged file may hold. */
  const soup = () =>
    fc
      .array(
        fc.oneof(
          junk,
          fc.constantFrom(BEGIN, END, `${BEGIN}\n`, `\n${END}\n`, `${END}${BEGIN}`),
          fc.record({ at: fc.nat({ max: POOL_SIZE - 1 }), from: fc.nat(), to: fc.nat() }).map(({ at, from, to }) => {
            const pem = (pool[at] as TestCertificate).pem;
            return pem.slice(Math.min(from, to) % pem.length, Math.max(from, to) % (pem.length + 1));
          }),
          fc.nat({ max: POOL_SIZE - 1 }).map((at) => (pool[at] as TestCertificate).pem),
        ),
        { maxLength: 12 },
      )
      .map((pieces) => pieces.join(''));

  const anyText = () => fc.oneof(soup(), fc.string({ unit: 'binary', maxLength: 200 }), junk);

  it('never throws on any text, and finds ordered, non-overlapping blocks that cover every BEGIN line', () => {
    fc.assert(
      fc.property(anyText(), (text) => {
        const blocks = findPemCertificateBlocks(text);
        let previousEnd = 0;
        for (const block of blocks) {
          expect(block.start, 'blocks are ordered and do not overlap').to.be.at.least(previousEnd);
          expect(block.end).to.be.above(block.start).and.at.most(text.length);
          expect(text.startsWith(BEGIN, block.start), 'a block starts at a BEGIN line').to.equal(true);
          expect(block.line).to.equal(lineAt(text, block.start));
          expect(block.certificate === undefined, 'a block is either a certificate or has a reason').to.equal(block.reason !== undefined);
          previousEnd = block.end;
        }
        for (const at of occurrences(text, BEGIN)) {
          expect(
            blocks.some((block) => block.start <= at && at < block.end),
            `the BEGIN line at ${at} belongs to a block`,
          ).to.equal(true);
        }
        const { certificates, skipped } = splitPemCertificates(text);
        expect(certificates).to.deep.equal(blocks.flatMap((block) => (block.certificate === undefined ? [] : [block.certificate])));
        expect(skipped.map((s) => s.line)).to.deep.equal(blocks.filter((b) => b.certificate === undefined).map((b) => b.line));
      }),
      propertyRuns(400),
    );
  });

  it('reads a found certificate back from its own armour, unchanged', () => {
    fc.assert(
      fc.property(anyText(), (text) => {
        for (const { certificate } of findPemCertificateBlocks(text)) {
          if (certificate === undefined) continue;
          expect(trustedCertificateFromPem(certificate.pem)).to.deep.equal(certificate);
          expect(canonicalCertificate(certificate)).to.deep.equal(certificate);
        }
      }),
      propertyRuns(200),
    );
  });

  it('reads one certificate from any text, or refuses it with invalid-certificate and nothing else', () => {
    const fingerprint = fc.oneof(
      fc.nat({ max: POOL_SIZE - 1 }).map((at) => (pool[at] as TestCertificate).fingerprint),
      fc.string({ maxLength: 70 }).map((text) => text as Fingerprint),
    );
    fc.assert(
      fc.property(anyText(), fingerprint, (text, claimed) => {
        const blocks = findPemCertificateBlocks(text);
        const only = blocks.length === 1 ? blocks[0]?.certificate : undefined;
        const read = outcome(() => trustedCertificateFromPem(text));
        if (only !== undefined) expect(read).to.deep.equal({ value: only });
        else expectInvalidCertificate(read);

        const canonical = outcome(() => canonicalCertificate({ fingerprint: claimed, pem: text }));
        if (only !== undefined && only.fingerprint === claimed) expect(canonical).to.deep.equal({ value: only });
        else expectInvalidCertificate(canonical);
      }),
      propertyRuns(300),
    );
  });

  it('finds every certificate embedded in junk, whatever its armour, with its fingerprint and canonical armour', () => {
    fc.assert(
      fc.property(
        picks(POOL_SIZE, 5),
        fc.array(armourStyle, { minLength: 1, maxLength: 5 }),
        fc.array(markerFreeJunk, { minLength: 6, maxLength: 6 }),
        (at, styles, junks) => {
          const { text, placed } = bundle(
            at.map((i) => pool[i] as TestCertificate),
            styles,
            junks,
          );
          const blocks = findPemCertificateBlocks(text);
          expect(blocks.map(summary)).to.deep.equal(
            placed.map(({ cert, start, end }) => ({
              start,
              // The parser takes the line break after END along; a certificate without one takes the junk's.
              end: text.endsWith(END, end) ? end + lineBreakAt(text, end) : end,
              line: lineAt(text, start),
              fingerprint: cert.fingerprint,
              pem: cert.pem,
            })),
          );
        },
      ),
      propertyRuns(300),
    );
  });

  it('still finds every certificate after BEGIN lines that never end', () => {
    const orphan = markerFreeJunk.map((text) => `${BEGIN}${text}`);
    fc.assert(
      fc.property(
        picks(POOL_SIZE, 4),
        fc.array(armourStyle, { minLength: 1, maxLength: 4 }),
        fc.array(fc.oneof(markerFreeJunk, orphan), { minLength: 5, maxLength: 5 }),
        (at, styles, junks) => {
          const certs = at.map((i) => pool[i] as TestCertificate);
          const { text } = bundle(certs, styles, junks);
          const { certificates, skipped } = splitPemCertificates(text);
          expect(certificates.map((c) => c.fingerprint)).to.deep.equal(certs.map((c) => c.fingerprint));
          const orphans = junks.slice(0, certs.length + 1).filter((j) => j.startsWith(BEGIN)).length;
          expect(skipped).to.have.length(orphans);
        },
      ),
      propertyRuns(300),
    );
  });
});

function summary(block: PemBlock) {
  return { start: block.start, end: block.end, line: block.line, fingerprint: block.certificate?.fingerprint, pem: block.certificate?.pem };
}

function lineAt(text: string, offset: number): number {
  return occurrences(text.slice(0, offset), '\n').length + 1;
}

/** The length of the line break at `offset` (CRLF, LF or CR), or 0. */
function lineBreakAt(text: string, offset: number): number {
  if (text.startsWith('\r\n', offset)) return 2;
  return text[offset] === '\n' || text[offset] === '\r' ? 1 : 0;
}

type Outcome<T> = { value: T } | { error: unknown };

function outcome<T>(run: () => T): Outcome<T> {
  try {
    return { value: run() };
  } catch (error) {
    return { error };
  }
}

function expectInvalidCertificate(result: Outcome<unknown>): void {
  expect(result, 'refused').to.have.property('error');
  const { error } = result as { error: unknown };
  expect(AuthError.is(error) && error.code, String(error)).to.equal('invalid-certificate');
}
