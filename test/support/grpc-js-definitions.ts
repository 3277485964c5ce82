import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { MULTIPASS_WIRE } from '../../src/adapters/rpc/multipass-wire-schema.js';
import { CLIENT_WIRE, TRUST_ADMIN_WIRE } from '../../src/adapters/rpc/multipassd-wire-schema.js';
import { WireCodec } from '../../src/adapters/rpc/wire-codec.js';
import type { WireSchema } from '../../src/adapters/rpc/wire-schema.js';

/**
 * grpc-js service definitions whose messages go through the project's `WireCodec`: what
 * @grpc/proto-loader would build from the .proto, without parsing it. For tests and the
 * bench that put grpc-js (a server or a client) beside ours; the daemon and the CLI never
 * load grpc-js.
 */
export function wireServiceDefinition(schema: WireSchema): ServiceDefinition {
  const codec = new WireCodec(schema);
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(schema.methods)) {
    definition[name] = {
      path: method.path,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestSerialize: (message) => codec.encode(method.requestType, message),
      requestDeserialize: (bytes) => codec.decode(method.requestType, bytes),
      responseSerialize: (message) => codec.encode(method.responseType, message),
      responseDeserialize: (bytes) => codec.decode(method.responseType, bytes),
      originalName: name,
    };
  }
  return definition;
}

const definitions = new Map<WireSchema, ServiceDefinition>();

function definitionOf(schema: WireSchema): ServiceDefinition {
  let definition = definitions.get(schema);
  if (definition === undefined) definitions.set(schema, (definition = wireServiceDefinition(schema)));
  return definition;
}

/** `multipass.Rpc`. */
export const multipassRpcDefinition = (): ServiceDefinition => definitionOf(MULTIPASS_WIRE);

/** `multipassd.TrustAdmin`. */
export const trustAdminDefinition = (): ServiceDefinition => definitionOf(TRUST_ADMIN_WIRE);

/** `multipassd.Client`. */
export const clientServiceDefinition = (): ServiceDefinition => definitionOf(CLIENT_WIRE);
