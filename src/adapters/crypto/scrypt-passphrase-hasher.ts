import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PassphraseHasher } from '../../ports/passphrase-hasher.js';

/** scrypt's cost parameters: N (CPU/memory cost, a power of two), r (block size), p (parallelism). */
export interface ScryptParameters {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * One of OWASP's equivalent scrypt settings (N=2^17,r=8,p=1 ~ N=2^15,r=8,p=3): the same work
 * for a quarter of the memory (32 MiB), because `authenticate` runs it for unauthenticated
 * local callers and four of them at once must not exhaust a small machine.
 */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = { N: 2 ** 15, r: 8, p: 3 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;

// A stored string chooses the cost of verifying it: bound what it may ask for, so that a
// corrupt or hostile settings file cannot make the daemon allocate gigabytes or spin for minutes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY_BYTES = 128 * 2 ** 20;
const MAX_WORK = 2 ** 22; // N*r*p; the default is ~2^19.6
const SALT_LENGTHS = { min: 8, max: 64 };
const KEY_LENGTHS = { min: 16, max: 64 };

/**
 * Multipass's own hash (Utils::generate_scrypt_hash_for): scrypt with an empty salt, N=2^14,
 * r=8, p=1, 64 bytes, kept as 128 lowercase hex digits. Unsalted, so equal passphrases give
 * equal hashes everywhere: verified for adopted installs, never written.
 */
const MULTIPASS_PARAMETERS: ScryptParameters = { N: 2 ** 14, r: 8, p: 1 };
const MULTIPASS_ENCODING = /^[0-9a-f]{128}$/;

const BASE64 = '[A-Za-z0-9+/]+={0,2}';
const ENCODING = new RegExp(`^scrypt\\$N=([1-9][0-9]{0,7}),r=([1-9][0-9]{0,2}),p=([1-9][0-9]{0,2})\\$(${BASE64})\\$(${BASE64})$`);

/**
 * Salted scrypt with a self-describing encoding (and Multipass's unsalted hex, read only):
 * `scrypt$N=<N>,r=<r>,p=<p>$<salt, base64>$<32-byte key, base64>` (standard base64, padded).
 * Parameters are read back from the string, so raising the defaults later keeps old hashes
 * verifiable. Passphrases are NFC-normalised first, so the same text typed on terminals that
 * compose characters differently still matches.
 */
export class ScryptPassphraseHasher implements PassphraseHasher {
  private readonly parameters: ScryptParameters;

  /** `parameters` exists for fast tests; production uses the defaults. */
  constructor(parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS) {
    if (!withinLimits(parameters)) {
      throw new RangeError('scrypt parameters are outside the supported range');
    }
    this.parameters = parameters;
  }

  async hash(passphrase: string): Promise<string> {
    const { N, r, p } = this.parameters;
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(Buffer.from(passphrase.normalize('NFC'), 'utf8'), salt, KEY_BYTES, this.parameters);
    return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  /** Every encoding `parse` reads. */
  recognises(encoded: string): boolean {
    return parse(encoded) !== undefined;
  }

  needsRehash(encoded: string): boolean {
    const stored = parse(encoded);
    if (stored === undefined) return false;
    const { N, r, p } = stored.parameters;
    return stored.legacy || N !== this.parameters.N || r !== this.parameters.r || p !== this.parameters.p;
  }

  async verify(passphrase: string, encoded: string): Promise<boolean> {
    const stored = parse(encoded);
    if (stored === undefined) return false;
    try {
      const secret = stored.legacy ? multipassSecret(passphrase) : Buffer.from(passphrase.normalize('NFC'), 'utf8');
      const candidate = await derive(secret, stored.salt, stored.key.length, stored.parameters);
      return candidate.length === stored.key.length && timingSafeEqual(candidate, stored.key);
    } catch {
      return false;
    }
  }
}

/**
 * The bytes Multipass hashes: the passphrase's UTF-8, cut to its length in UTF-16 code units
 * (it passes QString::size() as the byte count), and not normalised. Only differs from the
 * whole UTF-8 for non-ASCII passphrases, which must still match what Multipass stored.
 */
function multipassSecret(passphrase: string): Buffer {
  const utf8 = Buffer.from(passphrase, 'utf8');
  const secret = Buffer.from(utf8.subarray(0, Math.min(utf8.length, passphrase.length)));
  utf8.fill(0);
  return secret;
}

interface StoredHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly key: Buffer;
  /** Multipass's unsalted format. */
  readonly legacy: boolean;
}

function parse(encoded: string): StoredHash | undefined {
  if (typeof encoded !== 'string' || encoded.length > 512) return undefined;
  if (MULTIPASS_ENCODING.test(encoded)) {
    return { parameters: MULTIPASS_PARAMETERS, salt: Buffer.alloc(0), key: Buffer.from(encoded, 'hex'), legacy: true };
  }
  const match = ENCODING.exec(encoded);
  if (match === null) return undefined;
  const [, n, r, p, saltText, keyText] = match;
  const parameters = { N: Number(n), r: Number(r), p: Number(p) };
  const salt = strictBase64(saltText);
  const key = strictBase64(keyText);
  if (!withinLimits(parameters) || salt === undefined || key === undefined) return undefined;
  if (salt.length < SALT_LENGTHS.min || salt.length > SALT_LENGTHS.max) return undefined;
  if (key.length < KEY_LENGTHS.min || key.length > KEY_LENGTHS.max) return undefined;
  return { parameters, salt, key, legacy: false };
}

/** Node's decoder skips junk silently; only accept text that is exactly what we would write. */
function strictBase64(text: string | undefined): Buffer | undefined {
  if (text === undefined) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function withinLimits({ N, r, p }: ScryptParameters): boolean {
  const integers = Number.isSafeInteger(N) && Number.isSafeInteger(r) && Number.isSafeInteger(p);
  return (
    integers &&
    N >= 2 &&
    N <= MAX_N &&
    (N & (N - 1)) === 0 &&
    r >= 1 &&
    r <= MAX_R &&
    p >= 1 &&
    p <= MAX_P &&
    memoryFor({ N, r, p }) <= MAX_MEMORY_BYTES &&
    N * r * p <= MAX_WORK
  );
}

/** What OpenSSL allocates: the V array (128*r*(N+2)) plus the B array (128*r*p). */
function memoryFor({ N, r, p }: ScryptParameters): number {
  return 128 * r * (N + 2 + p);
}

/** The async API runs on libuv's thread pool, so hashing never blocks the event loop. Wipes `secret`. */
function derive(secret: Buffer, salt: Buffer, keyLength: number, parameters: ScryptParameters): Promise<Buffer> {
  const { N, r, p } = parameters;
  const options: ScryptOptions = { N, r, p, maxmem: memoryFor(parameters) + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(secret, salt, keyLength, options, (error, key) => {
      secret.fill(0);
      if (error) reject(error);
      else resolve(key);
    });
  });
}
