import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { WireCodec } from './wire-codec.js';
import type { WireSchema } from './wire-schema.js';

/**
 * A grpc-js service definition, for clients (makeGenericClientConstructor) and servers
 * (addService) alike, whose messages go through `WireCodec`: what @grpc/proto-loader would
 * build from the .proto, without parsing it.
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
