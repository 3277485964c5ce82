// Bench-only: N distinct certificates in seconds. One real certificate (with its key, so a
// client can present it) is the template; the others are its DER with the serial number
// rewritten. Their signatures no longer verify, which nothing at start-up or in a trust
// check looks at (a store pins fingerprints); X509Certificate still parses every one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { armour } from '../src/adapters/crypto/pem-certificates.js';
import { makeTestCertificate, type TestCertificate } from '../test/support/test-certificates.js';

export interface CertificateCorpus {
  /** The real certificate, first in every file: the bench's trusted client. */
  readonly client: TestCertificate;
  /** A PEM bundle holding the first `count` certificates (written once, then reused). */
  bundle(count: number): string;
  /** The first `count` certificates' PEM texts. */
  pems(count: number): string[];
}

export async function certificateCorpus(dir: string): Promise<CertificateCorpus> {
  const client = await makeTestCertificate('bench-client');
  const der = Buffer.from(client.pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  const serialAt = serialOffset(der);
  const pems: string[] = [client.pem];
  const bundles = new Map<number, string>();
  const grow = (count: number) => {
    for (let i = pems.length; i < count; i += 1) {
      const variant = Buffer.from(der);
      variant.writeUInt32BE(i, serialAt.end - 4);
      pems.push(armour(variant));
    }
  };
  return {
    client,
    pems: (count) => {
      grow(count);
      return pems.slice(0, count);
    },
    bundle: (count) => {
      let path = bundles.get(count);
      if (path === undefined) {
        grow(count);
        path = join(dir, `corpus-${count}.pem`);
        writeFileSync(path, pems.slice(0, count).join(''));
        bundles.set(count, path);
      }
      return path;
    },
  };
}

/** Where the serial number's content bytes are: Certificate > TBSCertificate > [0] version > INTEGER. */
function serialOffset(der: Buffer): { start: number; end: number } {
  let at = 0;
  const header = (): { length: number; tag: number } => {
    const tag = der[at++]!;
    let length = der[at++]!;
    if (length & 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i += 1) length = length * 256 + der[at++]!;
    }
    return { tag, length };
  };
  header(); // Certificate
  header(); // TBSCertificate
  if (der[at] === 0xa0) at += 2 + der[at + 1]!; // [0] version
  const serial = header();
  if (serial.tag !== 0x02 || serial.length < 8) throw new Error('unexpected certificate layout');
  return { start: at, end: at + serial.length };
}
