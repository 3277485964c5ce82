import type { ServiceDefinition } from '@grpc/grpc-js';
import { MULTIPASS_WIRE } from './multipass-wire-schema.js';
import { CLIENT_WIRE, TRUST_ADMIN_WIRE } from './multipassd-wire-schema.js';
import type { WireSchema } from './wire-schema.js';
import { wireServiceDefinition } from './wire-service.js';

// The messages go through the schemas `npm run build` generates from multipass.proto and
// multipassd.proto, so the daemon does not parse a .proto at start (the tests that stand for a
// Multipass client still do, on purpose: they check the generated schemas against them).
const definitions = new Map<WireSchema, ServiceDefinition>();

function definitionOf(schema: WireSchema): ServiceDefinition {
  let definition = definitions.get(schema);
  if (definition === undefined) definitions.set(schema, (definition = wireServiceDefinition(schema)));
  return definition;
}

/** The `multipass.Rpc` service definition, for the daemon's gRPC server. */
export const multipassRpcDefinition = (): ServiceDefinition => definitionOf(MULTIPASS_WIRE);

/** `multipassd.TrustAdmin`: the live trust-administration channel. */
export const trustAdminDefinition = (): ServiceDefinition => definitionOf(TRUST_ADMIN_WIRE);

/** `multipassd.Client`: what any client may ask about itself (`whoami`). */
export const clientServiceDefinition = (): ServiceDefinition => definitionOf(CLIENT_WIRE);
