import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const PROTO_PATH = fileURLToPath(new URL('./multipass.proto', import.meta.url));

// keepCase: the wire names (verbosity_level, log_line) are what Multipass clients send.
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

let cached: ServiceClientConstructor | undefined;

/** The `multipass.Rpc` service constructor (client side) and its definition (server side). */
export function multipassRpc(): ServiceClientConstructor {
  if (cached === undefined) {
    const definition = loadSync(PROTO_PATH, LOADER_OPTIONS);
    const multipass = loadPackageDefinition(definition).multipass as GrpcObject;
    cached = multipass.Rpc as ServiceClientConstructor;
  }
  return cached;
}

export function multipassRpcDefinition(): ServiceDefinition {
  return multipassRpc().service;
}

export const MULTIPASS_PROTO_PATH = PROTO_PATH;
