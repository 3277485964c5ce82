import type { ServiceDefinition } from '@grpc/grpc-js';
import { MULTIPASS_WIRE } from './multipass-wire-schema.js';
import { wireServiceDefinition } from './wire-service.js';

// The messages go through the schema `npm run build` generates from multipass.proto, so the
// daemon does not parse the .proto at start (the tests that stand for a Multipass client still
// do, on purpose: they check the generated schema against it).
let definition: ServiceDefinition | undefined;

/** The `multipass.Rpc` service definition, for the daemon's gRPC server. */
export function multipassRpcDefinition(): ServiceDefinition {
  definition ??= wireServiceDefinition(MULTIPASS_WIRE);
  return definition;
}
