// A bare grpc-js TLS server answering ping, in a process of its own, for `npm run bench` to
// compare the daemon's per-call server CPU with. Usage: node bare-grpc-server.js <address> <cert.pem> <key.pem>
// Prints the bound address (`unix:/path` or `127.0.0.1:port`) once listening.
import { readFileSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { multipassRpcDefinition } from '../test/support/grpc-js-definitions.js';

const [address, cert, key] = process.argv.slice(2) as [string, string, string];
const server = new Server();
server.addService(multipassRpcDefinition(), { ping: (_call: unknown, callback: (e: null, r: object) => void) => callback(null, {}) });
const credentials = ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(cert), private_key: readFileSync(key) }]);
server.bindAsync(address, credentials, (error, port) => {
  if (error) throw error;
  console.log(address.startsWith('unix:') ? address : `127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
