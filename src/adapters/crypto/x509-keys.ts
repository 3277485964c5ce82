// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata
// polyfill before the library is evaluated; ESM evaluates imports in order.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// EC P-256 keys and certificates over node's WebCrypto: node-forge, which the design first named,
// has no ECDSA (README, "Dependencies: no node-forge").
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_P256: EcKeyGenParams & EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
const ECDSA_SHA256: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

/** What a certificate is for; each profile fixes its extensions. */
export type CertificateProfile = 'root-ca' | 'server' | 'client';

export interface CertificateSpec {
  readonly profile: CertificateProfile;
  /** An RFC 4514-style name, e.g. `CN=localhost, O=multipassd-auth`. */
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Subject alternative names (server certificates). */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** The CA that signs it; self-signed when absent. */
  readonly issuer?: PemKeyPair;
}

export interface PemKeyPair {
  readonly certPem: string;
  /** PKCS#8 PEM (`BEGIN PRIVATE KEY`). */
  readonly keyPem: string;
}

/** Makes a fresh EC P-256 key and a certificate for it, signed with ECDSA SHA-256. */
export async function createEcCertificate(spec: CertificateSpec): Promise<PemKeyPair> {
  const keys = (await subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions = await extensionsFor(spec, keys.publicKey);
  const common = {
    serialNumber: randomSerialNumber(),
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    signingAlgorithm: ECDSA_SHA256,
    extensions,
  };
  const cert =
    spec.issuer === undefined
      ? await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: spec.subject, keys })
      : await x509.X509CertificateGenerator.create({
          ...common,
          subject: spec.subject,
          issuer: new x509.X509Certificate(spec.issuer.certPem).subject,
          publicKey: keys.publicKey,
          signingKey: await importPrivateKey(spec.issuer.keyPem),
        });
  return { certPem: armour('CERTIFICATE', Buffer.from(cert.rawData)), keyPem: await privateKeyToPem(keys.privateKey) };
}

async function extensionsFor(spec: CertificateSpec, publicKey: CryptoKey): Promise<x509.Extension[]> {
  const usage = x509.KeyUsageFlags;
  const extensions: x509.Extension[] = [await x509.SubjectKeyIdentifierExtension.create(publicKey)];
  if (spec.issuer !== undefined) {
    const issuer = new x509.X509Certificate(spec.issuer.certPem);
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey));
  }
  switch (spec.profile) {
    case 'root-ca':
      // pathLen 0: this CA signs the daemon's own leaf certificates and nothing else.
      extensions.push(new x509.BasicConstraintsExtension(true, 0, true));
      extensions.push(new x509.KeyUsagesExtension(usage.keyCertSign | usage.cRLSign | usage.digitalSignature, true));
      break;
    case 'server':
    case 'client':
      extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
      extensions.push(new x509.KeyUsagesExtension(usage.digitalSignature, true));
      extensions.push(
        new x509.ExtendedKeyUsageExtension([spec.profile === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      );
      break;
  }
  const names = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  return extensions;
}

/** Accepts any private key PEM node can read (PKCS#8, SEC1), so older key files still sign. */
async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return subtle.importKey('pkcs8', der, EC_P256, false, ['sign']);
}

async function privateKeyToPem(key: CryptoKey): Promise<string> {
  return armour('PRIVATE KEY', Buffer.from(await subtle.exportKey('pkcs8', key)));
}

/** 128 random bits, positive and without a leading zero byte, as RFC 5280 asks. */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** PEM armour: base64 in 64-column lines, LF line endings, trailing newline. */
function armour(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
