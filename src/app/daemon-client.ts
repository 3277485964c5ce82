// What a `multipass` command that talks to the daemon loads, and only such a command: the
// client identity and the gRPC clients (multipass.Rpc; multipassd.Client for whoami and
// doctor), in one module so that the CLI bundle loads them as one chunk. `help` and the usage
// errors never load it.
export { ensureClientIdentity } from '../adapters/crypto/client-identity.js';
export { createGrpcClient } from '../adapters/rpc/grpc-multipass-client.js';
export { createWhoamiClient } from '../adapters/rpc/grpc-whoami-client.js';
