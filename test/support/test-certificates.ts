import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Fingerprint } from '../../src/domain/fingerprint.js';
import { armour, fingerprintOfDer } from '../../src/adapters/crypto/pem-certificates.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_P256: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TestCertificate {
  /** Canonical armour: 64-character lines and a trailing newline. */
  readonly pem: string;
  readonly fingerprint: Fingerprint;
  /** PKCS#8 PEM of the certificate's private key. */
  readonly keyPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A fresh self-signed EC P-256 client certificate, valid from yesterday for a year unless `validity` says otherwise. */
export async function makeTestCertificate(
  commonName = 'multipass-test-client',
  validity?: { notBefore: Date; notAfter: Date },
): Promise<TestCertificate> {
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  return certificateFor(keys, commonName, validity);
}

let pool: TestCertificate[] = [];
let poolKeys: Promise<CryptoKeyPair> | undefined;

/**
 * `count` distinct certificates, generated once per process and shared by later callers.
 * They share one key pair: key generation is most of the cost, and a store only cares
 * about certificates. Use `makeTestCertificate` when the key must be unique.
 */
export async function testCertificatePool(count: number): Promise<readonly TestCertificate[]> {
  poolKeys ??= webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
  const keys = await poolKeys;
  while (pool.length < count) {
    const more = await Promise.all(
      Array.from({ length: Math.min(50, count - pool.length) }, (_, i) => certificateFor(keys, `pool-${pool.length + i}`)),
    );
    pool = [...pool, ...more];
  }
  return pool.slice(0, count);
}

async function certificateFor(
  keys: CryptoKeyPair,
  commonName: string,
  validity?: { notBefore: Date; notAfter: Date },
): Promise<TestCertificate> {
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${commonName}`,
    notBefore: validity?.notBefore ?? new Date(now - DAY_MS),
    notAfter: validity?.notAfter ?? new Date(now + 365 * DAY_MS),
    signingAlgorithm: EC_P256,
    keys,
  });
  const der = new Uint8Array(cert.rawData);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return {
    pem: armour(der),
    fingerprint: fingerprintOfDer(der),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}
