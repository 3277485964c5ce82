import { expect } from 'chai';
import fc from 'fast-check';
import { X509Certificate } from 'node:crypto';
import {
  findPemCertificateBlocks,
  findPemFingerprintBlocks,
  fingerprintOfDer,
  PemBlockScanner,
  splitPemCertificates,
  trustedCertificateFromPem,
} from '../../../src/adapters/crypto/pem-certificates.js';
import { AuthError } from '../../../src/domain/auth-error.js';
import { testCertificatePool, type TestCertificate } from '../../support/test-certificates.js';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/** The base64 body of a canonical PEM, without armour or line breaks. */
const bodyOf = (pem: string): string => pem.replace(BEGIN, '').replace(END, '').replace(/\s/g, '');

describe('splitPemCertificates', () => {
  let a: TestCertificate, b: TestCertificate;

  before(async () => {
    [a, b] = (await testCertificatePool(2)) as [TestCertificate, TestCertificate];
  });

  it('finds nothing in empty text', () => {
    expect(splitPemCertificates('')).to.deep.equal({ certificates: [], skipped: [] });
  });

  it('fingerprints each certificate as the SHA-256 of its DER, like X509Certificate does', () => {
    const { certificates } = splitPemCertificates(a.pem);
    const expected = new X509Certificate(a.pem).fingerprint256.replace(/:/g, '').toLowerCase();
    expect(certificates.map((cert) => cert.fingerprint)).to.deep.equal([expected]);
    expect(fingerprintOfDer(new X509Certificate(a.pem).raw)).to.equal(expected);
  });

  it('reads CRLF line ends and gives back canonical armour', () => {
    const { certificates, skipped } = splitPemCertificates(a.pem.replace(/\n/g, '\r\n') + b.pem.replace(/\n/g, '\r\n'));
    expect(skipped).to.deep.equal([]);
    expect(certificates).to.deep.equal([
      { fingerprint: a.fingerprint, pem: a.pem },
      { fingerprint: b.fingerprint, pem: b.pem },
    ]);
  });

  it('reads a final block without a trailing newline', () => {
    expect(splitPemCertificates(a.pem.trimEnd()).certificates).to.deep.equal([{ fingerprint: a.fingerprint, pem: a.pem }]);
  });

  it('reads a body in one long line or in short lines, and re-wraps it at 64 characters', () => {
    const oneLine = `${BEGIN}\n${bodyOf(a.pem)}\n${END}`;
    const short = `${BEGIN}\n${bodyOf(a.pem).replace(/(.{10})/g, '$1\n')}\n${END}\n`;
    expect(splitPemCertificates(oneLine + '\n' + short).certificates.map((cert) => cert.pem)).to.deep.equal([a.pem, a.pem]);
  });

  it('reads two blocks on adjacent lines, and two blocks on the same line', () => {
    expect(splitPemCertificates(a.pem + b.pem).certificates.map((cert) => cert.fingerprint)).to.deep.equal([a.fingerprint, b.fingerprint]);
    const sameLine = a.pem.trimEnd() + b.pem;
    expect(splitPemCertificates(sameLine).certificates.map((cert) => cert.fingerprint)).to.deep.equal([a.fingerprint, b.fingerprint]);
  });

  it('ignores junk text between and around blocks, including other PEM types', () => {
    const text = `subject=CN=x\n${a.pem}\n\nsome notes\n-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n${b.pem}trailer`;
    const { certificates, skipped } = splitPemCertificates(text);
    expect(certificates.map((cert) => cert.fingerprint)).to.deep.equal([a.fingerprint, b.fingerprint]);
    expect(skipped).to.deep.equal([]);
  });

  it('skips a truncated block, reporting its line, and still reads the block after it', () => {
    const truncated = a.pem.split('\n').slice(0, 4).join('\n') + '\n';
    const { certificates, skipped } = splitPemCertificates(`junk\n${truncated}${b.pem}`);
    expect(certificates.map((cert) => cert.fingerprint)).to.deep.equal([b.fingerprint]);
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.include({ index: 0, line: 2 });
  });

  it('skips a block cut off at the end of the text', () => {
    const { certificates, skipped } = splitPemCertificates(a.pem + b.pem.slice(0, 200));
    expect(certificates.map((cert) => cert.fingerprint)).to.deep.equal([a.fingerprint]);
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.include({ index: 1, line: a.pem.split('\n').length });
  });

  it('skips a block whose body has characters outside base64', () => {
    const bad = a.pem.replace(/\n(.)(.)/, '\n$1-');
    const { certificates, skipped } = splitPemCertificates(bad + b.pem);
    expect(certificates.map((cert) => cert.fingerprint)).to.deep.equal([b.fingerprint]);
    expect(skipped).to.deep.equal([{ index: 0, line: 1, reason: 'not valid base64' }]);
  });

  it('skips a block with misplaced or missing padding', () => {
    const body = bodyOf(a.pem);
    for (const broken of [body.slice(0, -1), `${body}==`, `AB=C${body}`]) {
      const { certificates, skipped } = splitPemCertificates(`${BEGIN}\n${broken}\n${END}\n`);
      expect(certificates, broken).to.deep.equal([]);
      expect(skipped, broken).to.have.length(1);
    }
  });

  it('skips a block that is valid base64 but not one DER sequence covering every byte', () => {
    const der = Buffer.from(bodyOf(a.pem), 'base64');
    const cases = {
      'extra bytes': Buffer.concat([der, Buffer.from([0])]),
      'missing bytes': der.subarray(0, der.length - 1),
      'not a sequence': Buffer.concat([Buffer.from([0x31]), der.subarray(1)]),
      'plain text': Buffer.from('hello, world'),
    };
    for (const [what, bytes] of Object.entries(cases)) {
      const { certificates, skipped } = splitPemCertificates(`${BEGIN}\n${bytes.toString('base64')}\n${END}\n`);
      expect(certificates, what).to.deep.equal([]);
      expect(skipped, what).to.deep.equal([{ index: 0, line: 1, reason: 'not a DER certificate' }]);
    }
  });

  it('skips an empty block', () => {
    expect(splitPemCertificates(`${BEGIN}\n${END}\n`).skipped).to.deep.equal([{ index: 0, line: 1, reason: 'empty body' }]);
  });

  // The quadratic scan took 33 s on the first of these; a linear one takes milliseconds.
  for (const [what, text] of [
    ['40,000 BEGIN lines and no END', `${BEGIN}\n`.repeat(40_000)],
    ['40,000 BEGIN lines and one END at the very end', `${BEGIN}\n`.repeat(40_000) + END],
  ] as const) {
    it(`scans ${what} in linear time, reporting each as truncated`, function () {
      this.timeout(5000);
      const started = Date.now();
      const { certificates, skipped } = splitPemCertificates(text);
      expect(Date.now() - started, 'milliseconds').to.be.below(2000);
      expect(certificates).to.deep.equal([]);
      expect(skipped).to.have.length(40_000);
      expect(skipped[39_999]).to.include({ index: 39_999, line: 40_000 });
    });
  }

  it('finds the same blocks as a plain search from every BEGIN marker, on any mix of markers, bodies and junk', () => {
    const pieces = [BEGIN, END, `${BEGIN}\n`, `${END}\n`, '\n', '\r\n', 'junk', bodyOf(a.pem).slice(0, 64), a.pem, b.pem];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(findPemCertificateBlocks(text)).to.deep.equal(referenceBlocks(text));
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * The specification, written the obvious (quadratic) way: from every BEGIN, look for the next
 * END and the next BEGIN afresh. Line numbers and reasons come from the real scan, which is
 * checked to agree on where each block starts and ends and whether it holds a certificate.
 */
function referenceBlocks(text: string) {
  const real = new Map(findPemCertificateBlocks(text).map((block) => [block.start, block]));
  const blocks = [];
  for (let start = text.indexOf(BEGIN); start >= 0; ) {
    const bodyStart = start + BEGIN.length;
    const endMarker = text.indexOf(END, bodyStart);
    const nextBegin = text.indexOf(BEGIN, bodyStart);
    let end: number;
    if (endMarker < 0 || (nextBegin >= 0 && nextBegin < endMarker)) {
      end = nextBegin >= 0 ? nextBegin : text.length;
    } else {
      end = endMarker + END.length;
      if (text.startsWith('\r\n', end)) end += 2;
      else if (text[end] === '\n' || text[end] === '\r') end += 1;
    }
    const line = text.slice(0, start).split('\n').length;
    const found = real.get(start);
    blocks.push({ ...found, start, end, line });
    start = text.indexOf(BEGIN, end);
  }
  return blocks;
}

describe('trustedCertificateFromPem', () => {
  let a: TestCertificate, b: TestCertificate;

  before(async () => {
    [a, b] = (await testCertificatePool(2)) as [TestCertificate, TestCertificate];
  });

  it('reads one certificate with its fingerprint, in canonical armour', () => {
    expect(trustedCertificateFromPem(a.pem.replace(/\n/g, '\r\n'))).to.deep.equal({ fingerprint: a.fingerprint, pem: a.pem });
  });

  it('rejects no certificate, two certificates and a corrupt one with invalid-certificate', () => {
    for (const text of ['', 'hello', a.pem + b.pem, a.pem.replace(/\n(.)/, '\n!')]) {
      expect(() => trustedCertificateFromPem(text), JSON.stringify(text.slice(0, 40))).to.throw().that.satisfies((error: unknown) =>
        AuthError.is(error, 'invalid-certificate'),
      );
    }
  });
});

describe('PemBlockScanner', () => {
  let a: TestCertificate, b: TestCertificate;

  before(async () => {
    [a, b] = (await testCertificatePool(2)) as [TestCertificate, TestCertificate];
  });

  /** Every kind of block: CRLF, junk, a truncated block, a corrupt one, a block with no line break after it. */
  const sample = (): string => {
    const truncated = a.pem.slice(0, a.pem.indexOf(END));
    const corrupt = b.pem.replace(/^(-----BEGIN CERTIFICATE-----\n)M/, '$1%');
    return `junk\n${a.pem.replace(/\n/g, '\r\n')}${truncated}${b.pem}${corrupt}# note ${BEGIN.slice(0, 10)}\n${a.pem.trimEnd()}`;
  };

  const scanInChunks = (text: string, size: number) => {
    const scanner = new PemBlockScanner(true);
    const blocks = [];
    for (let at = 0; at < text.length; at += size) blocks.push(...scanner.feed(text.slice(at, at + size)));
    return [...blocks, ...scanner.finish()];
  };

  for (const size of [1, 2, 7, 26, 27, 64, 500, 100_000]) {
    it(`finds the same blocks, offsets and lines fed ${size} character(s) at a time as in the whole text`, () => {
      const text = sample();
      expect(scanInChunks(text, size)).to.deep.equal(findPemCertificateBlocks(text));
    });
  }

  it('finds the same blocks whatever the chunks, for any text of markers, bodies and junk', () => {
    const text = sample();
    const pieces = [BEGIN, END, '\n', '\r\n', bodyOf(a.pem).slice(0, 80), bodyOf(b.pem), 'x', a.pem, text.slice(0, 300)];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), fc.integer({ min: 1, max: 120 }), (parts, size) => {
        const whole = parts.join('');
        expect(scanInChunks(whole, size)).to.deep.equal(findPemCertificateBlocks(whole));
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("fingerprints each certificate as X509Certificate does, without keeping its text", () => {
    const blocks = findPemFingerprintBlocks(a.pem + b.pem);
    const x509 = [a, b].map((cert) => new X509Certificate(cert.pem).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(blocks.map((block) => block.fingerprint)).to.deep.equal(x509);
    expect(blocks.map((block) => block.certificate)).to.deep.equal([undefined, undefined]);
  });
});
