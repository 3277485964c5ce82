/** An empty message's bytes: shared, since nothing can be written into them. */
const NOTHING = Buffer.alloc(0);

/** Protobuf's wire format, written into one growing buffer. */
export class WireWriter {
  // Allocated at the first write: an empty message (ping's reply, most requests) needs none.
  private buffer: Buffer = NOTHING;
  private length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes, 256));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  /** An unsigned 32-bit varint. */
  uint32(value: number): void {
    this.reserve(5);
    let rest = value >>> 0;
    while (rest > 0x7f) {
      this.buffer[this.length++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[this.length++] = rest;
  }

  /** A negative int32 is sign-extended to ten bytes, as protobuf requires. */
  int32(value: number): void {
    if (value < 0) this.uint64(BigInt.asUintN(64, BigInt(value)));
    else this.uint32(value);
  }

  uint64(value: bigint): void {
    this.reserve(10);
    let rest = value;
    while (rest > 0x7fn) {
      this.buffer[this.length++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.length++] = Number(rest);
  }

  string(value: string): void {
    const bytes = Buffer.byteLength(value);
    this.uint32(bytes);
    this.reserve(bytes);
    this.length += this.buffer.write(value, this.length, 'utf8');
  }

  /** Writes what `body` writes, preceded by its length. */
  delimited(body: () => void): void {
    // Room for a one-byte length; a longer one moves the body along once it is known.
    this.reserve(1);
    const start = this.length++;
    body();
    const length = this.length - start - 1;
    let size = 1;
    for (let rest = length >>> 7; rest > 0; rest >>>= 7) size += 1;
    if (size > 1) {
      this.reserve(size - 1);
      this.buffer.copyWithin(start + size, start + 1, this.length);
    }
    const end = this.length + size - 1;
    this.length = start;
    this.uint32(length);
    this.length = end;
  }

  finish(): Buffer {
    return this.length === 0 ? NOTHING : this.buffer.subarray(0, this.length);
  }
}
