import { END_GROUP, FIXED32, FIXED64, LENGTH_DELIMITED, START_GROUP, VARINT } from './wire-types.js';

/** Protobuf's wire format, read from one buffer; every read is bounded by the `end` it is given. */
export class WireReader {
  position = 0;

  constructor(private readonly buffer: Buffer) {}

  private byte(end: number): number {
    if (this.position >= end) throw new RangeError('protobuf: message truncated');
    return this.buffer[this.position++]!;
  }

  /** A varint's low 32 bits, unsigned (protobufjs reads int32, enums and bools this way). */
  uint32(end: number): number {
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.byte(end);
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
    throw new RangeError('protobuf: varint too long');
  }

  uint64(end: number): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.byte(end);
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, value);
    }
    throw new RangeError('protobuf: varint too long');
  }

  /** Reads a length and returns where the field it prefixes ends, within `end`. */
  delimited(end: number): number {
    const length = this.uint32(end);
    if (length > end - this.position) throw new RangeError('protobuf: length past the end of the message');
    return this.position + length;
  }

  string(end: number): string {
    const stop = this.delimited(end);
    const value = this.buffer.toString('utf8', this.position, stop);
    this.position = stop;
    return value;
  }

  skip(wireType: number, end: number): void {
    switch (wireType) {
      case VARINT:
        this.uint64(end);
        return;
      case FIXED64:
        this.advance(8, end);
        return;
      case LENGTH_DELIMITED:
        this.position = this.delimited(end);
        return;
      case START_GROUP:
        for (;;) {
          const tag = this.uint32(end);
          if ((tag & 7) === END_GROUP) return;
          this.skip(tag & 7, end);
        }
      case FIXED32:
        this.advance(4, end);
        return;
      default:
        throw new RangeError(`protobuf: invalid wire type ${wireType}`);
    }
  }

  private advance(bytes: number, end: number): void {
    if (bytes > end - this.position) throw new RangeError('protobuf: message truncated');
    this.position += bytes;
  }
}
