/**
 * A protobuf service as data: what `wire-codec.ts` needs to encode and decode its messages.
 * `npm run build` writes one from the .proto (scripts/generate-wire-schema.mjs), so no process
 * parses the .proto at start: parsing it costs more than the rest of a `multipass list`.
 */

/** The field types the codec handles; the generator refuses any other. */
export type WireKind = 'string' | 'bool' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'enum' | 'message';

export interface WireField {
  /** As in the .proto (keepCase): `verbosity_level`, not `verbosityLevel`. */
  readonly name: string;
  readonly number: number;
  readonly kind: WireKind;
  /** The full name of the message or enum type, for those kinds. */
  readonly type?: string;
  /** Only strings and messages: repeated numbers would be packed, which the codec does not do. */
  readonly repeated?: true;
  /** The name of the oneof the field belongs to. */
  readonly oneof?: string;
}

export interface WireMessage {
  /** In field-number order, the order they are written in. */
  readonly fields: readonly WireField[];
}

export interface WireMethod {
  /** `/package.Service/method`. */
  readonly path: string;
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

export interface WireSchema {
  /** Methods by their name in the .proto. */
  readonly methods: Readonly<Record<string, WireMethod>>;
  /** Messages by full name (`multipass.ListReply`). */
  readonly messages: Readonly<Record<string, WireMessage>>;
  /** Enums by full name: value names to numbers, in declaration order. */
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}
