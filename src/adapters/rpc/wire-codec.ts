import type { WireField, WireKind, WireSchema } from './wire-schema.js';

/**
 * Protobuf encoding and decoding driven by a `WireSchema`, giving what @grpc/proto-loader gives
 * with { keepCase, longs: String, enums: String, defaults: true, oneofs: true }, byte for byte
 * on the way out: every field that is neither null nor undefined is written, in field-number
 * order, with protobufjs's coercions (String(), `| 0`, Boolean()...). Decoded messages carry
 * every field at its default (messages null, lists empty, 64-bit integers as decimal strings,
 * enums by name), oneof members only when present, and the oneof's name for the member that is.
 * Unknown fields, and known ones sent with another wire type, are skipped.
 */

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const FIXED32 = 5;

type Message = Record<string, unknown>;

class Writer {
  private buffer = Buffer.allocUnsafe(256);
  private length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
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
    return this.buffer.subarray(0, this.length);
  }
}

class Reader {
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

/** protobufjs's Long.fromValue, for the values a message can hold. */
function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
  if (typeof value === 'string') return BigInt(value.trim() === '' ? 0 : value.trim());
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const { low, high } = value as { low: number; high: number };
    return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  }
  throw new TypeError(`protobuf: not an integer: ${String(value)}`);
}

const DEFAULTS: Readonly<Record<WireKind, unknown>> = {
  string: '',
  bool: false,
  int32: 0,
  uint32: 0,
  int64: '0',
  uint64: '0',
  enum: 0,
  message: null,
};

/** A message type as the codec walks it. */
interface MessageInfo {
  readonly name: string;
  readonly fields: readonly FieldInfo[];
  readonly byNumber: ReadonlyMap<number, FieldInfo>;
  /** Every field not in a oneof at its default, lists aside: copied for each decoded message. */
  readonly absent: Message;
  readonly repeated: readonly FieldInfo[];
}

interface FieldInfo extends WireField {
  readonly tag: number;
  readonly wireType: number;
  /** The nested message, for a message field. */
  message?: MessageInfo;
  /** Value names by number and names to numbers, for an enum field. */
  readonly enumNames?: ReadonlyMap<number, string>;
  readonly enumValues?: Readonly<Record<string, number>>;
  /** What a decoded message holds when the field is not on the wire. */
  readonly absent: unknown;
}

export class WireCodec {
  private readonly messages = new Map<string, MessageInfo>();

  constructor(schema: WireSchema) {
    for (const [name, message] of Object.entries(schema.messages)) {
      const fields = message.fields.map((field): FieldInfo => {
        const wireType = field.kind === 'string' || field.kind === 'message' ? LENGTH_DELIMITED : VARINT;
        const tag = (field.number << 3) | wireType;
        const values = field.kind === 'enum' ? schema.enums[field.type!] : undefined;
        if (values === undefined) return { ...field, tag, wireType, absent: DEFAULTS[field.kind] };
        // An alias shares its number: the last name declared wins, as in protobufjs. The default
        // is the first value declared (0 in proto3), by name.
        const enumNames = new Map(Object.entries(values).map(([valueName, number]) => [number, valueName]));
        const first = Object.values(values)[0] ?? 0;
        return { ...field, tag, wireType, enumNames, enumValues: values, absent: enumNames.get(first) ?? first };
      });
      const absent = Object.fromEntries(fields.filter((field) => field.oneof === undefined).map((field) => [field.name, field.absent]));
      const repeated = fields.filter((field) => field.repeated === true);
      this.messages.set(name, { name, fields, byNumber: new Map(fields.map((field) => [field.number, field])), absent, repeated });
    }
    for (const { fields } of this.messages.values()) {
      for (const field of fields) if (field.kind === 'message') field.message = this.info(field.type!);
    }
  }

  encode(type: string, message: unknown): Buffer {
    const writer = new Writer();
    this.write(this.info(type), message as Message, writer);
    return writer.finish();
  }

  decode(type: string, bytes: Buffer): Message {
    return this.read(this.info(type), new Reader(bytes), bytes.length);
  }

  private info(type: string): MessageInfo {
    const info = this.messages.get(type);
    if (info === undefined) throw new TypeError(`protobuf: unknown message type ${type}`);
    return info;
  }

  private write(info: MessageInfo, message: Message, writer: Writer): void {
    for (const field of info.fields) {
      const value = message[field.name];
      if (value === null || value === undefined) continue;
      if (field.repeated !== true) {
        this.writeValue(info, field, value, writer);
        continue;
      }
      if (!Array.isArray(value)) throw new TypeError(`${info.name}.${field.name}: array expected`);
      for (const item of value) this.writeValue(info, field, item, writer);
    }
  }

  private writeValue(info: MessageInfo, field: FieldInfo, value: unknown, writer: Writer): void {
    switch (field.kind) {
      case 'string':
        writer.uint32(field.tag);
        writer.string(String(value));
        return;
      case 'bool':
        writer.uint32(field.tag);
        writer.uint32(value ? 1 : 0);
        return;
      case 'int32':
        writer.uint32(field.tag);
        writer.int32((value as number) | 0);
        return;
      case 'uint32':
        writer.uint32(field.tag);
        writer.uint32((value as number) >>> 0);
        return;
      case 'int64':
      case 'uint64':
        writer.uint32(field.tag);
        writer.uint64(BigInt.asUintN(64, toBigInt(value)));
        return;
      case 'enum': {
        // A name it does not know, like anything but a number or a name, leaves the field unset.
        const values = field.enumValues!;
        const number = typeof value === 'number' ? value : typeof value === 'string' && Object.hasOwn(values, value) ? values[value] : undefined;
        if (number === undefined) return;
        writer.uint32(field.tag);
        writer.int32(number);
        return;
      }
      case 'message': {
        if (typeof value !== 'object') throw new TypeError(`${info.name}.${field.name}: object expected`);
        writer.uint32(field.tag);
        writer.delimited(() => this.write(field.message!, value as Message, writer));
        return;
      }
    }
  }

  private read(info: MessageInfo, reader: Reader, end: number): Message {
    const decoded: Message = { ...info.absent };
    for (const field of info.repeated) decoded[field.name] = [];
    while (reader.position < end) {
      const tag = reader.uint32(end);
      const field = info.byNumber.get(tag >>> 3);
      if (field === undefined || (tag & 7) !== field.wireType) {
        reader.skip(tag & 7, end);
        continue;
      }
      const value = this.readValue(field, reader, end);
      if (field.repeated === true) (decoded[field.name] as unknown[]).push(value);
      else decoded[field.name] = value;
      // The oneof names its member that is set; with several on the wire, the highest-numbered.
      if (field.oneof !== undefined) {
        const named = info.fields.find((member) => member.name === decoded[field.oneof!]);
        if (named === undefined || named.number < field.number) decoded[field.oneof] = field.name;
      }
    }
    return decoded;
  }

  private readValue(field: FieldInfo, reader: Reader, end: number): unknown {
    switch (field.kind) {
      case 'string':
        return reader.string(end);
      case 'bool':
        return reader.uint32(end) !== 0;
      case 'int32':
        return reader.uint32(end) | 0;
      case 'uint32':
        return reader.uint32(end);
      case 'int64':
        return BigInt.asIntN(64, reader.uint64(end)).toString();
      case 'uint64':
        return reader.uint64(end).toString();
      case 'enum': {
        const number = reader.uint32(end) | 0;
        return field.enumNames!.get(number) ?? number;
      }
      case 'message': {
        const stop = reader.delimited(end);
        const message = this.read(field.message!, reader, stop);
        reader.position = stop;
        return message;
      }
    }
  }
}
