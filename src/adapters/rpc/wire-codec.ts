import { WireReader } from './wire-reader.js';
import type { WireField, WireKind, WireSchema } from './wire-schema.js';
import { LENGTH_DELIMITED, VARINT } from './wire-types.js';
import { WireWriter } from './wire-writer.js';

/**
 * Protobuf encoding and decoding driven by a `WireSchema`, giving what @grpc/proto-loader gives
 * with { keepCase, longs: String, enums: String, defaults: true, oneofs: true }, byte for byte
 * on the way out: every field that is neither null nor undefined is written, in field-number
 * order, with protobufjs's coercions (String(), `| 0`, Boolean()...). Decoded messages carry
 * every field at its default (messages null, lists empty, 64-bit integers as decimal strings,
 * enums by name), oneof members only when present, and the oneof's name for the member that is.
 * Unknown fields, and known ones sent with another wire type, are skipped.
 */

type Message = Record<string, unknown>;

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
  /** Every field neither in a oneof nor a list, at its default: copied for each decoded message. */
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
      const single = fields.filter((field) => field.oneof === undefined && field.repeated !== true);
      const absent = Object.fromEntries(single.map((field) => [field.name, field.absent]));
      const repeated = fields.filter((field) => field.repeated === true);
      this.messages.set(name, { name, fields, byNumber: new Map(fields.map((field) => [field.number, field])), absent, repeated });
    }
    for (const { fields } of this.messages.values()) {
      for (const field of fields) if (field.kind === 'message') field.message = this.info(field.type!);
    }
  }

  encode(type: string, message: unknown): Buffer {
    const writer = new WireWriter();
    this.write(this.info(type), message as Message, writer);
    return writer.finish();
  }

  decode(type: string, bytes: Buffer): Message {
    return this.read(this.info(type), new WireReader(bytes), bytes.length);
  }

  private info(type: string): MessageInfo {
    const info = this.messages.get(type);
    if (info === undefined) throw new TypeError(`protobuf: unknown message type ${type}`);
    return info;
  }

  private write(info: MessageInfo, message: Message, writer: WireWriter): void {
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

  private writeValue(info: MessageInfo, field: FieldInfo, value: unknown, writer: WireWriter): void {
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

  private read(info: MessageInfo, reader: WireReader, end: number): Message {
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

  private readValue(field: FieldInfo, reader: WireReader, end: number): unknown {
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
