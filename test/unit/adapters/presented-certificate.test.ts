import { createHash, X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { clientCertificateFromPeer, clientCertificateFromPem } from '../../../src/adapters/crypto/presented-certificate.js';
import { createEcCertificate, type PemKeyPair } from '../../../src/adapters/crypto/x509-keys.js';
import { AuthError } from '../../../src/domain/auth-error.js';

function expectInvalidCertificate(action: () => unknown): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(AuthError.is(thrown, 'invalid-certificate'), String(thrown)).to.equal(true);
  expect((thrown as Error).message).to.not.equal('');
}

describe('presented certificates', () => {
  let client: PemKeyPair;
  let other: PemKeyPair;

  before(async () => {
    const notBefore = new Date('2024-01-02T03:04:05Z');
    const notAfter = new Date('2054-06-07T08:09:10Z');
    client = await createEcCertificate({ profile: 'client', subject: 'CN=presented-test', notBefore, notAfter });
    other = await createEcCertificate({ profile: 'client', subject: 'CN=other', notBefore, notAfter });
  });

  describe('clientCertificateFromPem', () => {
    it('fingerprints a certificate as the lowercase SHA-256 of its DER', () => {
      const parsed = new X509Certificate(client.certPem);
      const cert = clientCertificateFromPem(client.certPem);
      expect(cert.fingerprint).to.equal(createHash('sha256').update(parsed.raw).digest('hex'));
      expect(cert.fingerprint).to.equal(parsed.fingerprint256.replace(/:/g, '').toLowerCase());
    });

    it('reads the validity dates', () => {
      const cert = clientCertificateFromPem(client.certPem);
      expect(cert.notBefore.toISOString()).to.equal('2024-01-02T03:04:05.000Z');
      expect(cert.notAfter.toISOString()).to.equal('2054-06-07T08:09:10.000Z');
    });

    it('gives back canonical PEM armour of the same DER', () => {
      const messy = client.certPem.replace(/\n/g, '\r\n');
      const cert = clientCertificateFromPem(`  \n${messy}\n\n`);
      expect(cert.pem).to.equal(client.certPem);
      expect(cert.pem).to.match(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
      expect(new X509Certificate(cert.pem).raw.equals(new X509Certificate(client.certPem).raw)).to.equal(true);
    });

    it('tells different certificates apart', () => {
      expect(clientCertificateFromPem(client.certPem).fingerprint).to.not.equal(clientCertificateFromPem(other.certPem).fingerprint);
    });

    it('ignores descriptive text around the one certificate', () => {
      const annotated = `Certificate:\n    Subject: CN=presented-test\n${client.certPem}trailing words\n`;
      expect(clientCertificateFromPem(annotated)).to.deep.equal(clientCertificateFromPem(client.certPem));
    });

    it('refuses text without a certificate', () => {
      expectInvalidCertificate(() => clientCertificateFromPem(''));
      expectInvalidCertificate(() => clientCertificateFromPem('not a certificate'));
      expectInvalidCertificate(() => clientCertificateFromPem(client.keyPem));
    });

    it('refuses more than one certificate, or a certificate bundled with its key', () => {
      expectInvalidCertificate(() => clientCertificateFromPem(client.certPem + other.certPem));
      expectInvalidCertificate(() => clientCertificateFromPem(client.certPem + client.keyPem));
    });

    it('refuses a certificate block whose contents are not a certificate', () => {
      const corrupt = client.certPem.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
      expect(corrupt).to.not.equal(client.certPem);
      expectInvalidCertificate(() => clientCertificateFromPem(corrupt));
      expectInvalidCertificate(() => clientCertificateFromPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'));
    });
  });

  describe('clientCertificateFromPeer', () => {
    /** The fields node:tls `getPeerCertificate()` fills in, as node's own parser reports them. */
    function peerOf(pem: string): { raw: Buffer; valid_from: string; valid_to: string } {
      const parsed = new X509Certificate(pem);
      return { raw: parsed.raw, valid_from: parsed.validFrom, valid_to: parsed.validTo };
    }

    it('gives exactly what the PEM path gives for the same certificate', () => {
      expect(clientCertificateFromPeer(peerOf(client.certPem))).to.deep.equal(clientCertificateFromPem(client.certPem));
    });

    it("parses OpenSSL's date format, including its space-padded days", () => {
      const cert = clientCertificateFromPeer({
        raw: new X509Certificate(client.certPem).raw,
        valid_from: 'Jan  2 03:04:05 2024 GMT',
        valid_to: 'Dec 31 23:59:59 9999 GMT',
      });
      expect(cert.notBefore.toISOString()).to.equal('2024-01-02T03:04:05.000Z');
      expect(cert.notAfter.toISOString()).to.equal('9999-12-31T23:59:59.000Z');
    });

    it('refuses a peer without a DER encoding or with unreadable dates', () => {
      const peer = peerOf(client.certPem);
      expectInvalidCertificate(() => clientCertificateFromPeer({ ...peer, raw: Buffer.alloc(0) }));
      expectInvalidCertificate(() => clientCertificateFromPeer({ ...peer, raw: undefined as unknown as Buffer }));
      expectInvalidCertificate(() => clientCertificateFromPeer({ ...peer, valid_to: 'someday' }));
    });
  });
});
