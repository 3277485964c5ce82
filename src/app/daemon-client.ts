// What a `multipass` command that talks to the daemon loads, and only such a command: the
// client identity and the gRPC client, in one module so that the CLI bundle loads them as one
// chunk. `help` and the usage errors never load it.
export { ensureClientIdentity } from '../adapters/crypto/client-identity.js';
export { createGrpcClient } from '../adapters/rpc/grpc-multipass-client.js';
