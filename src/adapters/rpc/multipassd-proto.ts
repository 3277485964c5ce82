import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const PROTO_PATH = fileURLToPath(new URL('./multipassd.proto', import.meta.url));

// As for multipass.proto: the wire names, every field present with its default.
const LOADER_OPTIONS = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true } as const;

let cached: GrpcObject | undefined;

function multipassdPackage(): GrpcObject {
  cached ??= loadPackageDefinition(loadSync(PROTO_PATH, LOADER_OPTIONS)).multipassd as GrpcObject;
  return cached;
}

/** `multipassd.TrustAdmin`: the live trust-administration channel (client constructor; `.service` for the server). */
export function trustAdminService(): ServiceClientConstructor {
  return multipassdPackage().TrustAdmin as ServiceClientConstructor;
}

/** `multipassd.Client`: what any client may ask about itself (`whoami`). */
export function clientService(): ServiceClientConstructor {
  return multipassdPackage().Client as ServiceClientConstructor;
}
