import { expect } from 'chai';
import { connect as connectHttp2, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { join } from 'node:path';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { ensureDaemonIdentity } from '../../../src/adapters/crypto/daemon-identity.js';
import { frame } from '../../../src/adapters/rpc/grpc-framing.js';
import { GrpcServer, type GrpcServerOptions } from '../../../src/adapters/rpc/grpc-server.js';
import { MULTIPASS_WIRE } from '../../../src/adapters/rpc/multipass-wire-schema.js';
import type { RpcCall, RpcHandler } from '../../../src/adapters/rpc/rpc-handlers.js';
import { StatusCode } from '../../../src/adapters/rpc/status-code.js';
import { WireCodec } from '../../../src/adapters/rpc/wire-codec.js';
import { UnixSocketListener } from '../../../src/adapters/transports/unix-socket-listener.js';
import { NullLogger } from '../../support/fakes/null-logger.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { makeTestCertificate, type TestCertificate } from '../../support/test-certificates.js';

interface Answer {
  readonly httpStatus: number;
  readonly code: number | undefined;
  readonly details: string;
  readonly messages: Buffer[];
  /** The status came alone in the headers (a trailers-only answer). */
  readonly trailersOnly: boolean;
}

const codec = new WireCodec(MULTIPASS_WIRE);
const never = new Promise<never>(() => undefined);

/**
 * The daemon's gRPC server with handlers of the test's own, spoken to with a bare node:http2
 * client that sends exactly the bytes and headers a test gives: what no well-behaved gRPC
 * client would send is the point.
 */
describe('GrpcServer (gRPC over node:http2)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let server: GrpcServer | undefined;
  let client: ClientHttp2Session | undefined;
  let rootCert: string;
  let identity: { certPem: string; keyPem: string };
  let clientCert: TestCertificate;
  let socketPath: string;

  before(async () => {
    clientCert = await makeTestCertificate('grpc-server-test');
  });

  beforeEach(async () => {
    temp = makeTempDir();
    const daemon = await ensureDaemonIdentity(join(temp.path, 'certificate'));
    rootCert = daemon.rootCertPem;
    identity = { certPem: daemon.serverCertPem, keyPem: daemon.serverKeyPem };
    socketPath = join(temp.path, 'sock');
  });

  afterEach(async () => {
    client?.destroy();
    client = undefined;
    await server?.stop();
    server = undefined;
    temp.remove();
  });

  async function serve(handlers: Record<string, RpcHandler>, options: GrpcServerOptions = {}): Promise<void> {
    server = new GrpcServer(new UnixSocketListener(socketPath, undefined, new NullLogger()), identity, new NullLogger(), options);
    await server.start([{ schema: MULTIPASS_WIRE, handlers }]);
  }

  const tlsOptions = () => ({ path: socketPath, ca: rootCert, cert: clientCert.pem, key: clientCert.keyPem, servername: 'localhost' });

  function session(): ClientHttp2Session {
    client ??= connectHttp2('https://localhost', { createConnection: () => connectTls({ ...tlsOptions(), ALPNProtocols: ['h2'] }) });
    client.on('error', () => undefined);
    return client;
  }

  function call(path: string, body: Buffer[], headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const stream = session().request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
      let response: IncomingHttpHeaders = {};
      let trailers: IncomingHttpHeaders | undefined;
      const data: Buffer[] = [];
      stream.on('response', (received) => (response = received));
      stream.on('trailers', (received) => (trailers = received));
      stream.on('data', (chunk: Buffer) => data.push(chunk));
      stream.on('error', reject);
      stream.on('close', () => {
        const status = trailers ?? response;
        const bytes = Buffer.concat(data);
        const messages: Buffer[] = [];
        for (let at = 0; at + 5 <= bytes.length; at += 5 + bytes.readUInt32BE(at + 1)) messages.push(bytes.subarray(at + 5, at + 5 + bytes.readUInt32BE(at + 1)));
        resolve({
          httpStatus: Number(response[':status']),
          code: status['grpc-status'] === undefined ? undefined : Number(status['grpc-status']),
          details: decodeURI(String(status['grpc-message'] ?? '')),
          messages,
          trailersOnly: trailers === undefined && response['grpc-status'] !== undefined,
        });
      });
      for (const chunk of body) stream.write(chunk);
      stream.end();
    });
  }

  const pingRequest = () => frame(codec.encode('multipass.PingRequest', {}));
  const versionRequest = (verbosity: number) => frame(codec.encode('multipass.VersionRequest', { verbosity_level: verbosity }));

  it('answers a unary call with its reply and OK in the trailers, and tells the handler which connection it came on', async () => {
    let seen: string | undefined;
    await serve({
      ping: async (_request: unknown, rpc: RpcCall) => {
        seen = rpc.connection.certificate?.fingerprint;
        return {};
      },
    });
    const answer = await call('/multipass.Rpc/ping', [pingRequest()]);
    expect(answer).to.deep.include({ httpStatus: 200, code: StatusCode.OK, trailersOnly: false });
    expect(answer.messages).to.have.length(1);
    expect(seen).to.equal(clientCert.fingerprint);
  });

  it('serves a streaming method its first request at once, the replies in order, and a default request to a stream without one', async () => {
    const requests: unknown[] = [];
    await serve({
      version: async (request: { verbosity_level: number }, rpc: RpcCall) => {
        requests.push(request);
        rpc.write({ log_line: 'first' });
        return [{ version: `v${request.verbosity_level}` }];
      },
    });
    const answer = await call('/multipass.Rpc/version', [versionRequest(3), versionRequest(9)]);
    expect(answer.code).to.equal(StatusCode.OK);
    expect(answer.messages.map((message) => codec.decode('multipass.VersionReply', message))).to.deep.equal([
      codec.decode('multipass.VersionReply', codec.encode('multipass.VersionReply', { log_line: 'first' })),
      codec.decode('multipass.VersionReply', codec.encode('multipass.VersionReply', { version: 'v3' })),
    ]);
    expect((await call('/multipass.Rpc/version', [])).code).to.equal(StatusCode.OK);
    expect(requests).to.have.length(2);
    expect(requests[1]).to.include({ verbosity_level: 0 });
  });

  it('reads a request alike whether it arrives whole in one read or a byte at a time', async () => {
    const requests: unknown[] = [];
    await serve({
      version: async (request: { verbosity_level: number }) => {
        requests.push(request);
        return [{ version: 'v' }];
      },
    });
    const whole = await call('/multipass.Rpc/version', [versionRequest(3)]);
    // A pause between bytes, so that each arrives in a read of its own rather than coalesced.
    const stream = session().request({ ':method': 'POST', ':path': '/multipass.Rpc/version', 'content-type': 'application/grpc' });
    const trickled = new Promise<IncomingHttpHeaders>((resolve, reject) => {
      stream.on('trailers', resolve);
      stream.on('error', reject);
    });
    stream.resume();
    for (const byte of versionRequest(3)) {
      stream.write(Buffer.from([byte]));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    stream.end();
    expect(whole.code).to.equal(StatusCode.OK);
    expect((await trickled)['grpc-status']).to.equal(String(StatusCode.OK));
    expect(requests).to.have.length(2);
    expect(requests[1]).to.deep.equal(requests[0]);
    expect(requests[0]).to.include({ verbosity_level: 3 });
  });

  it("answers what it cannot serve as grpc-js's server does, each alone in the headers", async () => {
    let handled = 0;
    await serve({
      ping: async () => {
        handled += 1;
        return {};
      },
    });
    const cases: Array<[string, Buffer[], Record<string, string>, number, string]> = [
      ['/multipass.Rpc/launch', [pingRequest()], {}, StatusCode.UNIMPLEMENTED, 'The server does not implement the method /multipass.Rpc/launch'],
      ['/multipass.Rpc/version', [versionRequest(0)], {}, StatusCode.UNIMPLEMENTED, 'The server does not implement the method /multipass.Rpc/version'],
      ['/multipass.Rpc/ping', [], {}, StatusCode.UNIMPLEMENTED, 'Received no request message for server streaming method /multipass.Rpc/ping'],
      ['/multipass.Rpc/ping', [pingRequest(), pingRequest()], {}, StatusCode.UNIMPLEMENTED, 'Received a second request message for server streaming method /multipass.Rpc/ping'],
      ['/multipass.Rpc/ping', [Buffer.concat([pingRequest(), pingRequest()])], {}, StatusCode.UNIMPLEMENTED, 'Received a second request message for server streaming method /multipass.Rpc/ping'],
      ['/multipass.Rpc/ping', [Buffer.from([1, 0, 0, 0, 1, 0])], {}, StatusCode.UNIMPLEMENTED, 'Received a compressed message, but no compression was negotiated'],
      ['/multipass.Rpc/ping', [Buffer.from([0, 0x7f, 0xff, 0xff, 0xff])], {}, StatusCode.RESOURCE_EXHAUSTED, 'Received message larger than max (2147483647 vs 4194304)'],
      ['/multipass.Rpc/ping', [frame(Buffer.from([0x0a, 0x05, 0x01]))], {}, StatusCode.INTERNAL, 'Error deserializing request'],
      ['/multipass.Rpc/ping', [pingRequest()], { 'grpc-timeout': 'soon' }, StatusCode.INTERNAL, 'Invalid grpc-timeout value "soon"'],
    ];
    for (const [path, body, headers, code, details] of cases) {
      const answer = await call(path, body, headers);
      expect(answer, `${path} ${details}`).to.deep.include({ httpStatus: 200, code, details, trailersOnly: true, messages: [] });
    }
    expect(handled, 'no handler ran for a call the server refused').to.equal(0);
    const notGrpc = await call('/multipass.Rpc/ping', [pingRequest()], { 'content-type': 'text/html' });
    expect(notGrpc).to.deep.include({ httpStatus: 415, code: undefined });
  });

  it('ends a call with the status a handler rejects with, and hides any other failure behind INTERNAL', async () => {
    await serve({
      ping: async () => Promise.reject({ code: StatusCode.UNAUTHENTICATED, details: 'who are you?\n\ud800 100%' }),
      version: async (_request: unknown, rpc: RpcCall) => {
        rpc.write({ log_line: 'before the failure' });
        throw new Error('/var/lib/secret is on fire');
      },
      // Handlers that break their contract: a streaming one without a list of replies, one that throws at once.
      list: async () => 42,
      keys: () => {
        throw new Error('not even a promise');
      },
    });
    for (const method of ['list', 'keys']) {
      const answer = await call(`/multipass.Rpc/${method}`, [frame(Buffer.alloc(0))]);
      expect(answer, method).to.deep.include({ code: StatusCode.INTERNAL, details: 'internal error; see the multipassd log' });
    }
    expect(await call('/multipass.Rpc/ping', [pingRequest()])).to.deep.include({ code: StatusCode.UNAUTHENTICATED, details: 'who are you?\n\ufffd 100%', trailersOnly: true });
    const failed = await call('/multipass.Rpc/version', [versionRequest(0)]);
    expect(failed).to.deep.include({ code: StatusCode.INTERNAL, details: 'internal error; see the multipassd log', trailersOnly: false });
    expect(failed.messages, 'what was written before the failure still arrives').to.have.length(1);
  });

  it("ends a call whose grpc-timeout passes as DEADLINE_EXCEEDED, and a late reply is dropped", async () => {
    let finish: ((reply: object) => void) | undefined;
    await serve({ ping: () => (finish === undefined ? new Promise((resolve) => (finish = resolve)) : Promise.resolve({})) });
    const answer = await call('/multipass.Rpc/ping', [pingRequest()], { 'grpc-timeout': '100m' });
    expect(answer).to.deep.include({ code: StatusCode.DEADLINE_EXCEEDED, details: 'Deadline exceeded' });
    finish!({});
    expect((await call('/multipass.Rpc/ping', [pingRequest()])).code, 'the next call, after the late reply').to.equal(StatusCode.OK);
  });

  it('survives a client that cancels mid-call, and serves the next call on the same connection', async () => {
    const pending: Array<(reply: object) => void> = [];
    await serve({
      ping: () => new Promise((resolve) => pending.push(resolve)),
      version: async () => [{ version: 'still here' }],
    });
    const stream = session().request({ ':method': 'POST', ':path': '/multipass.Rpc/ping', 'content-type': 'application/grpc' });
    stream.on('error', () => undefined);
    stream.end(pingRequest());
    while (pending.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise<void>((resolve) => stream.close(0x8, resolve));
    pending[0]!({});
    const after = await call('/multipass.Rpc/version', [versionRequest(0)]);
    expect(after.code).to.equal(StatusCode.OK);
  });

  it('closes a connection that stops answering keepalive pings', async function () {
    this.timeout(10_000);
    await serve({ ping: async () => ({}) }, { keepaliveIntervalMs: 200, keepaliveTimeoutMs: 300 });
    // An HTTP/2 client that says hello and then reads nothing: nghttp2 would answer pings for it.
    const socket = connectTls({ ...tlsOptions(), ALPNProtocols: ['h2'] });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    socket.on('data', () => undefined);
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    // Far below the guard's own deadlines (10 s handshake, 60 s untrusted).
    expect(Date.now() - started).to.be.below(5000);
  });

  it('closes at once a TLS connection that did not ask for HTTP/2', async function () {
    this.timeout(10_000);
    await serve({ ping: async () => ({}) });
    const socket: TLSSocket = connectTls(tlsOptions());
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    expect(socket.alpnProtocol).to.equal(false);
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).to.be.below(5000);
  });

  it('refuses a call once the requests not yet whole on its connection pass the budget, and takes back what a cancelled call held', async () => {
    await serve({ ping: async () => ({}) }, { maxPendingRequestBytesPerConnection: 64 * 1024 });
    /** A ping whose message announces 1 MiB and sends `bytes` of it: held, never whole. */
    const partial = (bytes: number) => {
      const stream = session().request({ ':method': 'POST', ':path': '/multipass.Rpc/ping', 'content-type': 'application/grpc' });
      stream.on('error', () => undefined);
      const answered = new Promise<IncomingHttpHeaders | 'no answer'>((resolve) => {
        stream.on('response', resolve);
        setTimeout(() => resolve('no answer'), 500);
      });
      stream.write(Buffer.concat([Buffer.from([0, 0, 0x10, 0, 0]), Buffer.alloc(bytes)]));
      return { stream, answered };
    };
    const first = partial(30_000);
    const second = partial(30_000);
    expect(await first.answered).to.equal('no answer');
    expect(await second.answered).to.equal('no answer');
    const third = partial(30_000);
    const refused = await third.answered;
    expect(refused).to.not.equal('no answer');
    expect(refused).to.include({ 'grpc-status': String(StatusCode.RESOURCE_EXHAUSTED), 'grpc-message': encodeURI('Too much request data in flight on this connection') });
    await new Promise<void>((resolve) => first.stream.close(0x8, resolve));
    expect(await partial(30_000).answered, 'what the cancelled call held was given back').to.equal('no answer');
  });

  it('drops whatever a client sends after the request a streaming method serves', async () => {
    let served = false;
    await serve({
      version: () => {
        served = true;
        return never;
      },
    });
    const stream = session().request({ ':method': 'POST', ':path': '/multipass.Rpc/version', 'content-type': 'application/grpc' });
    stream.on('error', () => undefined);
    stream.write(versionRequest(0));
    while (!served) await new Promise((resolve) => setTimeout(resolve, 10));
    // A message over the limit: read as a request, it would be refused at once.
    stream.write(Buffer.from([0, 0x7f, 0xff, 0xff, 0xff]));
    stream.write(Buffer.alloc(64 * 1024));
    const answer = await Promise.race([
      new Promise((resolve) => stream.on('response', resolve)),
      new Promise((resolve) => setTimeout(() => resolve('no answer'), 300)),
    ]);
    expect(answer).to.equal('no answer');
    stream.close();
  });
});
