import type { Fingerprint } from '../../domain/fingerprint.js';

const FINGERPRINT_BYTES = 32;
const LOWERCASE_HEX = /^[0-9a-f]*$/;

/**
 * A read-only set of fingerprints over their raw bytes (32 each, back to back), as the PEM
 * store's fingerprint cache holds them: an open-addressing hash table of their positions,
 * built without making a string per fingerprint. For 100,000 certificates a Set of hex
 * strings takes 60-150 ms to build and about 10 MB; this takes a few ms and 4.4 MB (the bytes
 * and the table). Lookups stay O(1): fingerprints are SHA-256 digests, so their first four
 * bytes are already a uniform hash, and only a slot whose four bytes match is compared in full.
 */
export class FingerprintTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Where `has` decodes the fingerprint it is asked about (one lookup at a time: JavaScript is single-threaded). */
  private readonly scratch = Buffer.alloc(FINGERPRINT_BYTES);
  readonly size: number;

  /**
   * @param bytes the fingerprints, `FINGERPRINT_BYTES` each; kept, not copied.
   * @throws Error when `bytes` is not a whole number of fingerprints or holds one twice.
   */
  constructor(private readonly bytes: Buffer) {
    if (bytes.length % FINGERPRINT_BYTES !== 0) throw new Error('not a whole number of fingerprints');
    this.size = bytes.length / FINGERPRINT_BYTES;
    let capacity = 8;
    while (capacity < this.size * 2) capacity *= 2;
    const slots = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    // The loop runs once, much of it before V8 has optimised it: the digests' first bytes are
    // read inline (not through readUInt32BE, a call per read until then) and the table is in
    // locals, which takes about a quarter off building it for 100,000.
    for (let entry = 0; entry < this.size; entry += 1) {
      const at = entry * FINGERPRINT_BYTES;
      const head = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
      let slot = head & mask;
      for (let other = slots[slot]!; other !== -1; other = slots[slot]!) {
        const o = other * FINGERPRINT_BYTES;
        const otherHead = ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) >>> 0;
        if (otherHead === head && bytes.compare(bytes, o, o + FINGERPRINT_BYTES, at, at + FINGERPRINT_BYTES) === 0) {
          throw new Error('a fingerprint is there twice');
        }
        slot = (slot + 1) & mask;
      }
      slots[slot] = entry;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /**
   * O(1), and nothing allocated: the fingerprint's hex is decoded into a scratch buffer of the
   * table's, never the other way round (a hex string per lookup was most of the trust check's
   * cost per call). Only lowercase hex of the right length can match, as before.
   */
  has(fingerprint: string): boolean {
    if (fingerprint.length !== 2 * FINGERPRINT_BYTES || !LOWERCASE_HEX.test(fingerprint)) return false;
    const wanted = this.scratch;
    wanted.write(fingerprint, 'hex');
    const head = wanted.readUInt32BE(0);
    for (let slot = head & this.mask, entry = this.slots[slot]!; entry !== -1; slot = (slot + 1) & this.mask, entry = this.slots[slot]!) {
      const at = entry * FINGERPRINT_BYTES;
      if (this.bytes.readUInt32BE(at) === head && this.bytes.compare(wanted, 0, FINGERPRINT_BYTES, at, at + FINGERPRINT_BYTES) === 0) return true;
    }
    return false;
  }

  /** In the order of the bytes. */
  *[Symbol.iterator](): IterableIterator<Fingerprint> {
    for (let at = 0; at < this.bytes.length; at += FINGERPRINT_BYTES) yield this.bytes.toString('hex', at, at + FINGERPRINT_BYTES) as Fingerprint;
  }
}
