// The floor for a gRPC server in Node, for `npm run bench`: node:http2 over TLS answering every
// call with an empty message and OK, after the least a trust check needs (the client
// certificate's fingerprint, read once per connection, looked up in a Set). No framing
// checks, no decoding, no guard. Usage: node bare-http2-server.js <address> <cert.pem> <key.pem> <trusted.pem>
// Prints the bound address (`unix:/path` or `127.0.0.1:port`) once listening.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureServer, type Http2Session } from 'node:http2';
import type { TLSSocket } from 'node:tls';

const [address, cert, key, trustedPem] = process.argv.slice(2) as [string, string, string, string];
const trusted = new Set(
  readFileSync(trustedPem, 'utf8')
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .filter((pem) => pem.includes('BEGIN CERTIFICATE'))
    .map((pem) => new X509Certificate(pem).fingerprint256),
);
const server = createSecureServer({ cert: readFileSync(cert), key: readFileSync(key), requestCert: true, rejectUnauthorized: false });
const trustedSessions = new WeakMap<Http2Session, boolean>();
const HEADERS = { ':status': 200, 'content-type': 'application/grpc+proto' };
const EMPTY_MESSAGE = Buffer.alloc(5);
server.on('stream', (stream) => {
  const session = stream.session!;
  let isTrusted = trustedSessions.get(session);
  if (isTrusted === undefined) {
    const fingerprint = (session.socket as TLSSocket).getPeerCertificate().fingerprint256;
    trustedSessions.set(session, (isTrusted = trusted.has(fingerprint)));
  }
  stream.on('data', () => undefined);
  stream.on('end', () => {
    if (!isTrusted) {
      stream.respond({ ...HEADERS, 'grpc-status': '16', 'grpc-message': 'not trusted' }, { endStream: true });
      return;
    }
    stream.respond(HEADERS, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(EMPTY_MESSAGE);
  });
});
const path = address.startsWith('unix:') ? address.slice('unix:'.length) : undefined;
if (path !== undefined) server.listen(path, () => console.log(address));
else server.listen(0, '127.0.0.1', () => console.log(`127.0.0.1:${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => process.exit(0));
