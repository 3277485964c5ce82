import { loadSync } from '@grpc/proto-loader';
import type { MethodDefinition } from '@grpc/grpc-js';
import { expect } from 'chai';
import fc from 'fast-check';
import { join } from 'node:path';
import { MULTIPASS_WIRE } from '../../../src/adapters/rpc/multipass-wire-schema.js';
import { CLIENT_WIRE, TRUST_ADMIN_WIRE } from '../../../src/adapters/rpc/multipassd-wire-schema.js';
import { clientServiceDefinition, multipassRpcDefinition, trustAdminDefinition } from '../../support/grpc-js-definitions.js';
import { WireCodec } from '../../../src/adapters/rpc/wire-codec.js';
import type { WireField, WireSchema } from '../../../src/adapters/rpc/wire-schema.js';
import { REPO_ROOT } from '../../support/binaries.js';

/**
 * The generated schemas and their codec against the reference: @grpc/proto-loader reading the
 * .proto, with the options the daemon and the CLI used to load it with. Same bytes out, same
 * objects in, for every message of every method, of multipass.Rpc and of multipassd's own
 * services alike.
 */
const loadReference = (proto: string) =>
  loadSync(join(REPO_ROOT, 'src', 'adapters', 'rpc', proto), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const reference = loadReference('multipass.proto');
const referenceService = reference['multipass.Rpc'] as unknown as Record<string, MethodDefinition<unknown, unknown>>;
const codec = new WireCodec(MULTIPASS_WIRE);

const multipassd = loadReference('multipassd.proto');
/** Each proto file: its reference, and each of its services with its schema and our definition. */
const PROTOS = [
  { proto: 'multipass.proto', reference, services: [{ service: 'multipass.Rpc', schema: MULTIPASS_WIRE, ours: multipassRpcDefinition() }] },
  {
    proto: 'multipassd.proto',
    reference: multipassd,
    services: [
      { service: 'multipassd.TrustAdmin', schema: TRUST_ADMIN_WIRE, ours: trustAdminDefinition() },
      { service: 'multipassd.Client', schema: CLIENT_WIRE, ours: clientServiceDefinition() },
    ],
  },
];

interface Descriptor {
  name: string;
  field: Array<{ name: string; number: number; label: string; type: string; typeName: string }>;
}

const INT64 = fc.oneof(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map(String), fc.maxSafeInteger());
const UINT64 = fc.oneof(fc.bigInt(0n, 2n ** 64n - 1n).map(String), fc.maxSafeNat());

function valueOf(schema: WireSchema, field: WireField, depth: number): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 60 });
    case 'bool':
      return fc.boolean();
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32':
      return fc.nat({ max: 2 ** 32 - 1 });
    case 'int64':
      return INT64;
    case 'uint64':
      return UINT64;
    case 'enum': {
      const values = schema.enums[field.type!]!;
      return fc.constantFrom(...Object.keys(values), ...Object.values(values), 42);
    }
    case 'message':
      return messageOf(schema, field.type!, depth + 1);
  }
}

/** Any message of `type`: each field absent, null, or set (several items when repeated). */
function messageOf(schema: WireSchema, type: string, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields = schema.messages[type]!.fields;
  if (depth > 4) return fc.constant({});
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fields) {
    const value = valueOf(schema, field, depth);
    const present = field.repeated === true ? fc.array(value, { maxLength: 3 }) : value;
    record[field.name] = fc.option(present, { nil: undefined, freq: 3 }).chain((set) => (set === undefined ? fc.constantFrom(undefined, null) : fc.constant(set)));
  }
  return fc.record(record).map((message) => Object.fromEntries(Object.entries(message).filter(([, value]) => value !== undefined)));
}

/** Fields the schema does not know, of every wire type, appended to a message. */
const unknownFields = fc.array(
  fc.oneof(
    fc.tuple(fc.constant(0), fc.bigInt(0n, 2n ** 64n - 1n)),
    fc.tuple(fc.constant(1), fc.uint8Array({ minLength: 8, maxLength: 8 })),
    fc.tuple(fc.constant(2), fc.uint8Array({ maxLength: 20 })),
    fc.tuple(fc.constant(5), fc.uint8Array({ minLength: 4, maxLength: 4 })),
  ),
  { maxLength: 4 },
);

const varint = (value: bigint): number[] => {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7fn) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
};

function withUnknownFields(bytes: Buffer, extra: Array<[number, bigint | Uint8Array]>): Buffer {
  const unused = 1000; // no message of the .proto has a field this high
  const parts = extra.map(([wireType, value], index) => {
    const tag = varint(BigInt(((unused + index) << 3) | wireType));
    if (typeof value === 'bigint') return Buffer.from([...tag, ...varint(value)]);
    return Buffer.from([...tag, ...(wireType === 2 ? varint(BigInt(value.length)) : []), ...value]);
  });
  return Buffer.concat([bytes, ...parts]);
}

const directions = (method: MethodDefinition<unknown, unknown>) => [
  { side: 'request', serialize: method.requestSerialize, deserialize: method.requestDeserialize },
  { side: 'response', serialize: method.responseSerialize, deserialize: method.responseDeserialize },
];

describe('the generated wire schema and codec', () => {
  for (const { proto, reference: types, services } of PROTOS) {
    for (const { service, schema, ours } of services) {
      const referenceMethods = types[service] as unknown as Record<string, MethodDefinition<unknown, unknown>>;

      it(`describe the methods of ${service}, with their paths and streaming shapes`, () => {
        const shape = (method: MethodDefinition<unknown, unknown>) => [method.path, method.requestStream, method.responseStream, method.originalName];
        const expected = Object.fromEntries(Object.entries(referenceMethods).map(([name, method]) => [name, shape(method)]));
        expect(Object.fromEntries(Object.entries(ours).map(([name, method]) => [name, shape(method)]))).to.deep.equal(expected);
      });

      it(`have every field of every message of ${service}, by name, number, type and label`, () => {
        for (const [name, message] of Object.entries(schema.messages)) {
          const descriptor = (types[name] as unknown as { type: Descriptor }).type;
          const expected = descriptor.field.map((field) => ({
            name: field.name,
            number: field.number,
            repeated: field.label === 'LABEL_REPEATED',
            type: field.typeName === '' ? field.type.replace('TYPE_', '').toLowerCase() : field.typeName.split('.').pop(),
          }));
          const actual = message.fields.map((field) => ({
            name: field.name,
            number: field.number,
            repeated: field.repeated === true,
            type: field.type === undefined ? field.kind : field.type.split('.').pop(),
          }));
          expect(actual, name).to.have.deep.members(expected);
        }
      });

      for (const [name, method] of Object.entries(referenceMethods)) {
        const mine = ours[name]!;
        for (const { side, serialize, deserialize } of directions(method)) {
          const type = side === 'request' ? schema.methods[name]!.requestType : schema.methods[name]!.responseType;
          const own = directions(mine).find((direction) => direction.side === side)!;

          it(`encodes a ${service}/${name} ${side} (${type}) byte for byte as proto-loader does`, () => {
            fc.assert(
              fc.property(messageOf(schema, type), (message) => {
                expect(own.serialize(message).toString('hex')).to.equal(serialize(message).toString('hex'));
              }),
            );
          });

          it(`decodes a ${service}/${name} ${side} (${type}) as proto-loader does, skipping unknown fields`, () => {
            fc.assert(
              fc.property(messageOf(schema, type), unknownFields, (message, extra) => {
                const bytes = withUnknownFields(serialize(message), extra);
                expect(own.deserialize(bytes)).to.deep.equal(deserialize(bytes));
              }),
            );
          });
        }
      }
    }

    it(`cover every message of ${proto} and nothing else`, () => {
      const serviceNames = services.map(({ service }) => service);
      const used = Object.keys(types).filter((name) => !serviceNames.includes(name));
      expect([...new Set(services.flatMap(({ schema }) => Object.keys(schema.messages)))]).to.have.members(used);
    });
  }

  it('decodes an empty message to every field at its default, as the daemon relies on', () => {
    expect(codec.decode('multipass.ListReply', Buffer.alloc(0))).to.deep.equal({ log_line: '', update_info: null });
    expect(codec.decode('multipass.ListVMInstance', Buffer.alloc(0))).to.deep.equal({
      name: '',
      instance_status: null,
      ipv4: [],
      current_release: '',
      os: '',
      zone: null,
    });
    expect(codec.decode('multipass.InstanceStatus', Buffer.alloc(0))).to.deep.equal({ status: 'UNKNOWN' });
    expect(codec.decode('google.protobuf.Timestamp', Buffer.alloc(0))).to.deep.equal({ seconds: '0', nanos: 0 });
  });

  it('encodes an empty message as no bytes, untouched by the messages encoded after it', () => {
    const empty = codec.encode('multipass.PingReply', {});
    expect(empty).to.have.length(0);
    const next = codec.encode('multipass.VersionReply', { version: 'v1' });
    expect(empty).to.have.length(0);
    expect(codec.decode('multipass.VersionReply', next)).to.include({ version: 'v1' });
  });

  it('rejects a truncated message instead of reading past its end', () => {
    const bytes = codec.encode('multipass.GetRequest', { key: 'local.passphrase', verbosity_level: 2 });
    expect(() => codec.decode('multipass.GetRequest', bytes.subarray(0, bytes.length - 3))).to.throw(RangeError);
    expect(() => codec.decode('multipass.GetRequest', Buffer.from([0x0a, 0x05, 0x61]))).to.throw(RangeError);
  });

  it('refuses a message where a message or a list is expected, as proto-loader does', () => {
    expect(() => codec.encode('multipass.ListReply', { update_info: 'x' })).to.throw(TypeError);
    expect(() => codec.encode('multipass.KeysReply', { settings_keys: 'x' })).to.throw(TypeError);
    expect(() => referenceService.keys!.responseSerialize({ settings_keys: 'x' })).to.throw(TypeError);
  });
});
